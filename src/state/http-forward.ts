import http from 'node:http';
import https from 'node:https';
import { JsonRpcCode } from '../protocol/json-rpc-codes.js';
import { preloadBody, readBody } from '../transports/http/server/body-reader.js';
import { replyError } from '../transports/http/server/http-reply.js';

/**
 * Marks a request forwarded by another instance: it is never forwarded again (no loops). A client
 * that sends it itself gains nothing: it only gives up the forwarding hop.
 */
export const FORWARDED_HEADER = 'x-switchboard-forwarded-by';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'content-length',
]);

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * Replays an MCP request to the instance that owns its session and pipes the answer back (SSE
 * streams included, flushed as they come). The request keeps its own headers — `Authorization`,
 * `Origin`, `Mcp-Session-Id`, `Last-Event-ID` — so the owner authenticates and checks it exactly as
 * if the client had come directly: the hop adds no trust. Only `Host` is the owner's.
 *
 * @param target - the owner's MCP endpoint URL
 * @param from - this instance's name (sent in {@link FORWARDED_HEADER})
 * @param maxBodyBytes - bound on the buffered request body
 * @returns `false` when the owner could not be reached and nothing was answered (the body is kept
 *   for a local attempt); `true` once the owner's answer was piped back, or the request was answered
 *   here with 503 because it had already been forwarded once (two instances that each see the other
 *   as the owner, while ownership moves, must not pass it back and forth)
 */
export async function forwardRequest(
  target: string,
  from: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  maxBodyBytes: number,
): Promise<boolean> {
  if (req.headers[FORWARDED_HEADER] !== undefined) {
    replyError(res, 503, JsonRpcCode.ConnectionClosed, 'The session is moving between instances; try again', {
      headers: { 'retry-after': '1' },
    });
    return true;
  }
  const body = req.method === 'POST' ? await readBody(req, maxBodyBytes) : undefined;
  if (body !== undefined) preloadBody(req, body);
  const url = new URL(target);
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  }
  headers[FORWARDED_HEADER] = from;
  if (body !== undefined) headers['content-length'] = String(body.length);
  const secure = url.protocol === 'https:';
  return new Promise<boolean>((resolve) => {
    const upstream = (secure ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        method: req.method,
        path: `${url.pathname}${new URL(req.url ?? '/', 'http://x').search}`,
        headers,
        agent: secure ? agents.https : agents.http,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        // `pipe` writes each chunk as it comes (SSE events are not held back) and pauses the owner's
        // answer while the client reads slower than it produces.
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        res.on('close', () => answer.destroy());
        resolve(true);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        resolve(true);
      } else resolve(false);
    });
    upstream.end(body);
  });
}
