#!/usr/bin/env bash
# Runs the README's test command N times in a row (default 3) with a CPU hog busy on one core alongside,
# and prints the wall time of each run. Exits non-zero at the first failing run.
#
#   bash scripts/test-under-load.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
mkdir -p test-artifacts

node -e 'for (;;) {}' &
hog=$!
trap 'kill "$hog" 2>/dev/null || true' EXIT

for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if npm test >"test-artifacts/under-load-$i.log" 2>&1; then status=passed; else status=failed; fi
  echo "run $i/$runs: $status in $(($(date +%s) - start)) s (log: test-artifacts/under-load-$i.log)"
  [ "$status" = passed ] || exit 1
done
