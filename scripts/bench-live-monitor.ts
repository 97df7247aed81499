/**
 * The dashboard's cost per request in process: a request and its answer through `LiveMonitor.observe`
 * (what the live tap does for every frame while a dashboard is served), with previews within their
 * budget. Prints µs per request/answer pair (median of 5 runs).
 *
 *   npx tsx scripts/bench-live-monitor.ts
 */
import { LiveMonitor } from '../src/dashboard/live-monitor.js';
import type { JSONRPCMessage } from '../src/protocol/messages.js';

const N = 200_000;
const payload = 'x'.repeat(1024);
const runs: number[] = [];
for (let run = 0; run < 5; run++) {
  const m = new LiveMonitor({ server: 'bench' });
  for (let s = 0; s < 64; s++) m.sessionOpened(`s${s}`, 'http');
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const session = `s${i % 64}`;
    const request: JSONRPCMessage = {
      jsonrpc: '2.0',
      id: i,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: payload } },
    };
    m.observe(session, 'in', request);
    m.observe(session, 'out', {
      jsonrpc: '2.0',
      id: i,
      result: { content: [{ type: 'text', text: payload }] },
    });
  }
  runs.push(Number(process.hrtime.bigint() - started) / 1000 / N);
}
runs.sort((a, b) => a - b);
process.stdout.write(
  `LiveMonitor.observe, request + answer, 1 KiB payloads: median ${runs[2]?.toFixed(2)} µs per pair (min ${runs[0]?.toFixed(2)}, max ${runs[4]?.toFixed(2)})\n`,
);
