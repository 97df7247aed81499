// The raw echo MCP server over Streamable HTTP on bare node:http (no SDK, no framework): the ceiling
// of the HTTP ratios and the HTTP backend of the proxy runs. It issues a session id on initialize and
// keeps it in a set; it answers each request with JSON (default) or a one-event SSE stream.
// Usage: node raw-echo-http.js [json|sse]. Prints "LISTENING http://127.0.0.1:<port>/mcp" once bound.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { answer } from './echo-logic.js';
import { readBody } from './read-body.js';

const mode = process.argv[2] === 'sse' ? 'sse' : 'json';
/** @type {Set<string>} */
const sessions = new Set();

const server = createServer((req, res) => {
  if (req.url !== '/mcp') return void res.writeHead(404).end();
  if (req.method === 'DELETE') {
    sessions.delete(String(req.headers['mcp-session-id']));
    return void res.writeHead(200).end();
  }
  if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST, DELETE' }).end();
  readBody(req).then(
    (body) => reply(body, res),
    () => res.writeHead(413).end(),
  );
});

/**
 * @param {string} body
 * @param {import('node:http').ServerResponse} res
 */
function reply(body, res) {
  let message;
  try {
    message = JSON.parse(body);
  } catch {
    return void res.writeHead(400).end();
  }
  const response = answer(message);
  if (response === undefined) return void res.writeHead(202).end();
  /** @type {Record<string, string>} */
  const headers = {};
  if (message.method === 'initialize') {
    const id = randomUUID();
    sessions.add(id);
    headers['mcp-session-id'] = id;
  }
  const json = JSON.stringify(response);
  if (mode === 'sse') {
    headers['content-type'] = 'text/event-stream';
    res.writeHead(200, headers).end(`event: message\ndata: ${json}\n\n`);
  } else {
    headers['content-type'] = 'application/json';
    res.writeHead(200, headers).end(json);
  }
}

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING http://127.0.0.1:${address.port}/mcp\n`);
});
