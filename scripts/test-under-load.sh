#!/usr/bin/env bash
# Runs the README's test command N times in a row (default 3) with a CPU hog busy on one core alongside,
# and prints a summary for a note: per run pass/fail, wall time, load average, and the slowest files and
# tests (from vitest's JSON report). Stops at the first failing run (exit 1).
#
#   bash scripts/test-under-load.sh [runs]
#
# Logs and JSON reports: test-artifacts/under-load-N.{log,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
mkdir -p test-artifacts

node -e 'for (;;) {}' &
hog=$!
trap 'kill "$hog" 2>/dev/null || true' EXIT

echo "test under load: $runs run(s) of npm test, CPU hog pid $hog, $(nproc) cores, node $(node --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
summary=()
for i in $(seq 1 "$runs"); do
  log="test-artifacts/under-load-$i.log"
  report="test-artifacts/under-load-$i.json"
  rm -f "$report"
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s)
  if npm test -- --reporter=default --reporter=json --outputFile.json="$report" >"$log" 2>&1; then
    status=passed
  else
    status=FAILED
  fi
  wall=$(($(date +%s) - start))
  line="run $i/$runs: $status in ${wall} s (load average ${load_before} → $(cut -d' ' -f1 /proc/loadavg)), log $log"
  summary+=("$line")
  echo "$line"
  if [ -f "$report" ]; then
    node scripts/summarize-test-run.mjs "$report" 5
  else
    echo "  no JSON report (the build or vitest itself failed): see $log"
    tail -n 20 "$log" | sed 's/^/  | /'
  fi
  [ "$status" = passed ] || break
done

echo
echo 'summary:'
printf '  %s\n' "${summary[@]}"
[ "$status" = passed ]
