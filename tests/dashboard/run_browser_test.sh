#!/usr/bin/env bash
# The dashboard in a real browser: runs `tessera demo` on a small sample under a memory limit
# that forces spilling, with the dashboard and a performance report, keeps it serving, and drives
# headless Chromium over it with dashboard_test.mjs (playwright-core, pinned in package-lock.json).
#   usage: run_browser_test.sh TESSERA_PROGRAM OUTPUT_DIR   (screenshots land in OUTPUT_DIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tessera=$1
out=$2
mkdir -p "$out"
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund --silent)
log="$out/demo.log"
"$tessera" demo --files 3 --rows 300000 --data-dir "$out/data" --memory-limit 150000000 \
  --dashboard-port 0 --report "$out/report.html" --keep-open > "$log" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null || true; wait $demo 2>/dev/null || true' EXIT
wait_for() {  # wait_for PATTERN: until the demo's log shows it (120 s at most)
  for _ in $(seq 1 600); do
    grep -q "$1" "$log" && return 0
    kill -0 $demo 2>/dev/null || { cat "$log"; echo "the demo ended before printing '$1'" >&2; exit 1; }
    sleep 0.2
  done
  cat "$log"; echo "the demo did not print '$1' in 120 s" >&2; exit 1
}
# First while the lesson runs (tasks arrive as the page watches), then on the finished run with
# its performance report.
wait_for "^dashboard: "
url=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -n 1)
TESSERA_DASHBOARD_URL=$url timeout 240 node "$here/dashboard_test.mjs"
wait_for "serving the dashboard"
TESSERA_DASHBOARD_URL=$url TESSERA_REPORT_FILE="$out/report.html" TESSERA_SCREENSHOTS="$out" \
  timeout 240 node "$here/dashboard_test.mjs"
