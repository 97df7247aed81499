/**
 * The hop between gateway instances: a request is forwarded at most once (an instance that would pass
 * an already forwarded request on answers 503 instead, so two instances that each see the other as a
 * session's owner cannot bounce it), and the owner's SSE answer reaches the client event by event.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FORWARDED_HEADER, forwardRequest } from '../../src/state/http-forward.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.keepAliveTimeout = 1;
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

describe('forwardRequest', () => {
  it('forwards a request once: an instance forwarding to itself stops at the second hop with 503', async () => {
    let hops = 0;
    const seen: (string | undefined)[] = [];
    let self = '';
    self = await listen((req, res) => {
      hops++;
      seen.push(req.headers[FORWARDED_HEADER] as string | undefined);
      // Every request is "owned elsewhere" — here, by this very instance: without the marker check
      // this would forward forever.
      forwardRequest(self, 'instance-a', req, res, 1 << 20).catch(() => res.destroy());
    });
    const answer = await fetch(self, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-session-id': 's-1' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    const body = (await answer.json()) as { error: { code: number; message: string } };
    expect(body.error.message).toMatch(/moving between instances/);
    expect(hops).toBe(2);
    expect(seen).toEqual([undefined, 'instance-a']);
  });

  it('passes the owner’s SSE answer on event by event, with the client’s headers and body', async () => {
    let next!: () => void;
    let received: { headers: http.IncomingHttpHeaders; body: string } | undefined;
    const owner = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received = { headers: req.headers, body: Buffer.concat(chunks).toString() };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        let n = 0;
        next = () => {
          n++;
          if (n <= 3) res.write(`id: ${n}\ndata: {"n":${n}}\n\n`);
          if (n === 3) res.end();
        };
        next();
      });
    });
    const front = await listen((req, res) => {
      forwardRequest(owner, 'instance-b', req, res, 1 << 20).catch(() => res.destroy());
    });
    const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call' });
    const answer = await fetch(front, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: 'Bearer t',
        'mcp-session-id': 's-2',
      },
      body: payload,
    });
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    expect(received?.body).toBe(payload);
    expect(received?.headers.authorization).toBe('Bearer t');
    expect(received?.headers['mcp-session-id']).toBe('s-2');
    expect(received?.headers[FORWARDED_HEADER]).toBe('instance-b');
    // The owner writes the next event only after the client has read the previous one: a forwarder
    // that held chunks back would deadlock here.
    const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (let i = 1; i <= 3; i++) {
      while (!text.includes(`"n":${i}`)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before event ${i}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
      next();
    }
    expect((await reader.read()).done).toBe(true);
    expect(text).toBe('id: 1\ndata: {"n":1}\n\nid: 2\ndata: {"n":2}\n\nid: 3\ndata: {"n":3}\n\n');
  });
});
