// The floor of a Streamable HTTP → stdio relay at any concurrency: bare node:http in front of the raw
// NDJSON echo child, doing only what routing needs. A POST body is read whole and parsed (for its id);
// requests go to the child's stdin joined per loop turn (one write for many, as any relay that batches
// does); each line the child answers is parsed for its id and sent as the body of the waiting response,
// as received. Nothing else: no validation, no session table (one fixed session id), no bounds, no
// timeouts, no headers beyond the content type, ids assumed unique (the lean client's are). So it is a
// reference point, not a proxy: what relaying small messages costs by itself on this machine, next to
// which the proxy's own work at C=64 and its added latency at C=1 can be judged.
// Usage: node raw-relay-http-stdio.js. Prints "LISTENING http://127.0.0.1:<port>/mcp" once bound.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readJsonBody } from './read-body.js';

const child = spawn(process.execPath, [fileURLToPath(new URL('raw-echo-stdio.js', import.meta.url))], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
child.on('exit', () => process.exit(1));
const stdin = /** @type {import('node:stream').Writable} */ (child.stdin);
const stdout = /** @type {import('node:stream').Readable} */ (child.stdout);

/** @type {Map<unknown, import('node:http').ServerResponse>} */
const waiting = new Map();
const JSON_HEADERS = { 'content-type': 'application/json', 'mcp-session-id': 'relayed' };

/** @type {string[]} */
let batch = [];
function flush() {
  stdin.write(`${batch.join('\n')}\n`);
  batch = [];
}
/** @param {string} line */
function toChild(line) {
  if (batch.length === 0) setImmediate(flush);
  batch.push(line);
}

let rest = '';
stdout.setEncoding('utf8');
stdout.on('data', (/** @type {string} */ text) => {
  const lines = rest + text;
  let start = 0;
  for (let newline = lines.indexOf('\n'); newline !== -1; newline = lines.indexOf('\n', start)) {
    const line = lines.slice(start, newline);
    start = newline + 1;
    let id;
    try {
      id = JSON.parse(line).id;
    } catch {
      continue;
    }
    const res = waiting.get(id);
    if (res === undefined) continue;
    waiting.delete(id);
    res.writeHead(200, JSON_HEADERS).end(line);
  }
  rest = lines.slice(start);
});

const server = createServer((req, res) => {
  if (req.method === 'DELETE') return void res.writeHead(200).end();
  if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST, DELETE' }).end();
  void readJsonBody(req, res).then((read) => {
    if (read === undefined) return;
    const { body, message } = read;
    if (message?.id === undefined) res.writeHead(202).end();
    else waiting.set(message.id, res);
    toChild(body.includes('\n') ? JSON.stringify(message) : body);
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING http://127.0.0.1:${address.port}/mcp\n`);
});
