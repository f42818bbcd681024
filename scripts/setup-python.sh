#!/usr/bin/env bash
# Creates the project's virtual environment (build/venv) with current numpy, pandas and pyarrow
# from PyPI plus the build and test tools, then builds and installs tessera into it with pip, as
# a user would. Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${TESSERA_VENV:-build/venv}
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
fi
# Build tools are installed into the environment so pip can build without fetching them again.
"$venv/bin/pip" install -q "numpy>=2" "pandas>=2.2" "pyarrow>=15" "scikit-build-core>=0.10" "nanobind>=2.4" \
  pytest hypothesis nbclient nbformat ipykernel matplotlib
"$venv/bin/pip" install -q --no-build-isolation .
