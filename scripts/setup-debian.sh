#!/usr/bin/env bash
# Installs the Debian packages tessera builds and tests with. Idempotent: asks apt-get only for
# what is missing, so a second run does nothing.
set -euo pipefail

packages=(
  g++ cmake ninja-build make ccache pkg-config
  libgtest-dev libbenchmark-dev
  libxxhash-dev libzstd-dev zlib1g-dev
  libcli11-dev
  clang libclang-rt-14-dev
  python3 python3-venv python3-dev time
  libboost-dev nlohmann-json3-dev esbuild graphviz
  libdw-dev
  libthrift-dev thrift-compiler libsnappy-dev liblz4-dev libbrotli-dev libcurl4-openssl-dev libssl-dev libexpat1-dev
  chromium
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
