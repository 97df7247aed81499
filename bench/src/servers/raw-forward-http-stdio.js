// The ceiling of any Streamable HTTP → stdio proxy hop: bare node:http in front of the raw NDJSON echo
// child, forwarding bytes as they arrive and checking nothing. A POST body goes into the child's stdin
// chunk by chunk (then a newline); the child's next line goes back as the response body chunk by chunk,
// before its end has arrived. No JSON is parsed, no id is read: one request at a time (C=1), and a body
// with no `"id"` near its start is taken for a notification (202). Nothing a real proxy may do — a
// malformed frame reaches the backend half-sent, a broken answer reaches the client half-sent — so it
// is a reference point only: what a hop costs by itself on this machine (kernel copies of two more
// transfers), next to which the proxy's own work can be judged.
// Usage: node raw-forward-http-stdio.js. Prints "LISTENING http://127.0.0.1:<port>/mcp" once bound.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const NEWLINE = 0x0a;
const HEAD_BYTES = 64;
const ID_MEMBER = Buffer.from('"id"');

const child = spawn(process.execPath, [fileURLToPath(new URL('raw-echo-stdio.js', import.meta.url))], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
child.on('exit', () => process.exit(1));
const stdin = /** @type {import('node:stream').Writable} */ (child.stdin);
const stdout = /** @type {import('node:stream').Readable} */ (child.stdout);

/** The response the child's next line answers (one request at a time). */
/** @type {import('node:http').ServerResponse | undefined} */
let waiting;

stdout.on('data', (/** @type {Buffer} */ chunk) => {
  let start = 0;
  while (start < chunk.length) {
    const newline = chunk.indexOf(NEWLINE, start);
    const end = newline === -1 ? chunk.length : newline;
    if (waiting !== undefined && end > start) waiting.write(chunk.subarray(start, end));
    if (newline === -1) return;
    waiting?.end();
    waiting = undefined;
    start = newline + 1;
  }
});

const server = createServer((req, res) => {
  if (req.method === 'DELETE') return void res.writeHead(200).end();
  if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST, DELETE' }).end();
  let first = true;
  req.on('data', (/** @type {Buffer} */ chunk) => {
    if (first) {
      first = false;
      const isRequest = chunk.subarray(0, HEAD_BYTES).includes(ID_MEMBER);
      if (isRequest) {
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'forwarded' });
        waiting = res;
      } else res.writeHead(202);
    }
    if (!stdin.write(chunk)) {
      req.pause();
      stdin.once('drain', () => req.resume());
    }
  });
  req.on('end', () => {
    stdin.write('\n');
    if (waiting !== res) res.end();
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING http://127.0.0.1:${address.port}/mcp\n`);
});
