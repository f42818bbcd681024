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
"$tessera" demo --files 2 --rows 100000 --data-dir "$out/data" --memory-limit 40000000 \
  --dashboard-port 0 --report "$out/report.html" --keep-open > "$log" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null || true; wait $demo 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  grep -q "serving the dashboard" "$log" && break
  kill -0 $demo 2>/dev/null || { cat "$log"; echo "the demo ended before serving the dashboard" >&2; exit 1; }
  sleep 0.2
done
grep -q "serving the dashboard" "$log" || { cat "$log"; echo "the demo did not finish in 120 s" >&2; exit 1; }
url=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -n 1)
TESSERA_DASHBOARD_URL=$url TESSERA_REPORT_FILE="$out/report.html" TESSERA_SCREENSHOTS="$out" \
  timeout 240 node "$here/dashboard_test.mjs"
