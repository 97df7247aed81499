// A raw NDJSON MCP server over stdio whose tool "spin" burns ~2 ms of CPU time per call (busy loop), and
// "echo" answers at once: the backend of the scale-out benchmark (one core per server process).
import { LineReader } from '../lib/ndjson-reader.js';
import { answer } from './echo-logic.js';

const SPIN_MS = Number(process.env.SPIN_MS ?? 2);

/** @param {any} message */
function reply(message) {
  if (message?.method === 'tools/call' && message.params?.name === 'spin') {
    // CPU time, not wall time: on a busy machine a wall-clock spin does less work whenever this
    // process is descheduled, which would flatter exactly the contended case being measured.
    const start = process.cpuUsage();
    let x = 0;
    for (;;) {
      for (let i = 0; i < 1000; i++) x++;
      const used = process.cpuUsage(start);
      if ((used.user + used.system) / 1000 >= SPIN_MS) break;
    }
    return { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: `spun ${x > 0}` }] } };
  }
  return answer(message);
}

const reader = new LineReader();
// Each answer is written as soon as it is computed, as an SDK server does (stdout to a pipe is
// synchronous in Node): answers held back to the end of a read chunk would leave this process idle
// for a whole round trip after every batch, measuring the batching rather than the pool.
process.stdin.on('data', (chunk) => {
  reader.push(chunk, (line) => {
    const r = reply(JSON.parse(line));
    if (r !== undefined) process.stdout.write(`${JSON.stringify(r)}\n`);
  });
});
process.stdin.on('end', () => process.stdout.end());
