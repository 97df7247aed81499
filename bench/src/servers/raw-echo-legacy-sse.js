// The raw echo MCP server over the legacy HTTP+SSE transport (2024-11-05) on bare node:http (no SDK):
// GET /sse opens the stream and announces the POST endpoint; each POST /message?sessionId=… gets 202
// and its answer travels on that session's stream.
// Usage: node raw-echo-legacy-sse.js. Prints "LISTENING http://127.0.0.1:<port>/sse" once bound.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { answer } from './echo-logic.js';
import { readJsonBody } from './read-body.js';

/** @type {Map<string, import('node:http').ServerResponse>} */
const streams = new Map();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'GET' && url.pathname === '/sse') {
    const id = randomUUID();
    streams.set(id, res);
    res.on('close', () => streams.delete(id));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(`event: endpoint\ndata: /message?sessionId=${id}\n\n`);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/message') {
    const stream = streams.get(url.searchParams.get('sessionId') ?? '');
    if (!stream) return void res.writeHead(404).end();
    void readJsonBody(req, res).then((read) => {
      if (read === undefined) return;
      res.writeHead(202).end();
      const response = answer(read.message);
      if (response !== undefined) stream.write(`event: message\ndata: ${JSON.stringify(response)}\n\n`);
    });
    return;
  }
  res.writeHead(404).end();
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING http://127.0.0.1:${address.port}/sse\n`);
});
