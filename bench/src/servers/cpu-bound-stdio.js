// A raw NDJSON MCP server over stdio whose tool "spin" burns ~2 ms of CPU per call (busy loop), and
// "echo" answers at once: the backend of the scale-out benchmark (one core per server process).
import { LineReader } from '../lib/ndjson-reader.js';
import { answer } from './echo-logic.js';

const SPIN_MS = Number(process.env.SPIN_MS ?? 2);

/** @param {any} message */
function reply(message) {
  if (message?.method === 'tools/call' && message.params?.name === 'spin') {
    const until = performance.now() + SPIN_MS;
    let x = 0;
    while (performance.now() < until) x++;
    return { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: `spun ${x > 0}` }] } };
  }
  return answer(message);
}

const reader = new LineReader();
process.stdin.on('data', (chunk) => {
  /** @type {string[]} */
  const out = [];
  reader.push(chunk, (line) => {
    const r = reply(JSON.parse(line));
    if (r !== undefined) out.push(JSON.stringify(r));
  });
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
});
process.stdin.on('end', () => process.stdout.end());
