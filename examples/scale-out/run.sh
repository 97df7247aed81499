#!/usr/bin/env bash
# Scale-out on one machine (loopback only): Redis, 2 workers in front of server-everything, 3 gateway
# instances sharing sessions through Redis, and a round-robin front. Ctrl-C stops everything.
#
#   npm run build && bash examples/scale-out/run.sh
#   then point any MCP client at http://127.0.0.1:3000/mcp
set -euo pipefail
cd "$(dirname "$0")/../.."
REDIS_PORT=${REDIS_PORT:-6390}
DIR=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR" --save '' --appendonly no --logfile "$DIR/redis.log" &
PIDS+=($!)
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done

REDIS="redis://127.0.0.1:$REDIS_PORT/0"
QUEUE="$REDIS?stream=mcp:everything"
EVERYTHING=node_modules/@modelcontextprotocol/server-everything/dist/index.js

for w in 1 2; do
  node dist/cli.js worker --queue "$QUEUE" --admin-bind "127.0.0.1:$((3100 + w))" --log-format json \
    -- node "$EVERYTHING" stdio 2>"$DIR/worker-$w.log" &
  PIDS+=($!)
done
for g in 1 2 3; do
  node dist/cli.js serve "$QUEUE" --listen "http://127.0.0.1:$((3000 + g))/mcp" --state "$REDIS" \
    --response-mode sse --log-format json 2>"$DIR/gateway-$g.log" &
  PIDS+=($!)
done
node examples/scale-out/round-robin.mjs 3000 http://127.0.0.1:3001 http://127.0.0.1:3002 http://127.0.0.1:3003 &
PIDS+=($!)

echo "front:    http://127.0.0.1:3000/mcp (round robin over gateways :3001 :3002 :3003)"
echo "workers:  metrics on http://127.0.0.1:3101/metrics and :3102/metrics"
echo "logs:     $DIR"
echo "try:      node dist/cli.js inspect http://127.0.0.1:3000/mcp"
echo "          kill -9 one gateway or worker (pids: ${PIDS[*]:1}) and keep using the session"
wait
