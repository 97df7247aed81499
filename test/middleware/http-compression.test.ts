import http from 'node:http';
import zlib from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../../src/transports/http/server/response-compression.js';
import { startServe, type Started } from '../e2e/processes.js';

const started: Started[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

/** POSTs a JSON-RPC message and returns the raw response (body not read). */
function post(url: string, body: unknown, headers: Record<string, string>): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
        ...headers,
      },
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const readAll = async (res: http.IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** Opens a 2025-era session: initialize + initialized; returns the session id. */
async function openSession(url: string): Promise<string> {
  const res = await post(
    url,
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    },
    {},
  );
  await readAll(res);
  const session = String(res.headers['mcp-session-id']);
  await readAll(
    await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': session }),
  );
  return session;
}

function bigText(): string {
  const rows: string[] = [];
  let length = 0;
  for (let i = 0; length < 1024 * 1024; i++) {
    const row = `{"id":${i},"name":"item-${i % 97}","status":"${i % 3 === 0 ? 'active' : 'idle'}"},`;
    rows.push(row);
    length += row.length;
  }
  return rows.join('').slice(0, 1024 * 1024);
}

describe('HTTP response compression (serve --http-compression)', () => {
  it('negotiates by Accept-Encoding with q-values', () => {
    expect(negotiateEncoding('gzip, deflate, br', ['br', 'gzip'])).toBe('br');
    expect(negotiateEncoding('gzip;q=1, br;q=0.5', ['br', 'gzip'])).toBe('gzip');
    expect(negotiateEncoding('br;q=0, *', ['br', 'gzip'])).toBe('gzip');
    expect(negotiateEncoding('identity', ['br', 'gzip'])).toBeUndefined();
    expect(negotiateEncoding(undefined, ['br', 'gzip'])).toBeUndefined();
  });

  for (const coding of ['gzip', 'br'] as const) {
    it(`a 1 MiB JSON result round-trips with ${coding} and is smaller on the wire`, async () => {
      const serve = await startServe([
        '--listen',
        'http://127.0.0.1:0/mcp',
        '--response-mode',
        'json',
        '--http-compression',
      ]);
      started.push(serve);
      const url = serve.urls[0] as string;
      const session = await openSession(url);
      const message = bigText();
      const res = await post(
        url,
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message } } },
        { 'mcp-session-id': session, 'accept-encoding': coding },
      );
      expect(res.headers['content-encoding']).toBe(coding);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      const wire = await readAll(res);
      const body = coding === 'gzip' ? zlib.gunzipSync(wire) : zlib.brotliDecompressSync(wire);
      const answer = JSON.parse(body.toString()) as { result: { content: { text: string }[] } };
      expect(answer.result.content[0]?.text).toBe(message);
      expect(wire.length).toBeLessThan(body.length / 4);

      // Without Accept-Encoding: identity.
      const plain = await post(
        url,
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: 'small' } },
        },
        { 'mcp-session-id': session },
      );
      expect(plain.headers['content-encoding']).toBeUndefined();
      await readAll(plain);
    });
  }

  it('SSE stays live when compressed: each event arrives as it is sent, not at the end', async () => {
    const serve = await startServe([
      '--listen',
      'http://127.0.0.1:0/mcp',
      '--response-mode',
      'sse',
      '--http-compression',
    ]);
    started.push(serve);
    const url = serve.urls[0] as string;
    const session = await openSession(url);
    const delayMs = 1_000;
    const res = await post(
      url,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'countdown', arguments: { steps: 2, delayMs }, _meta: { progressToken: 'p1' } },
      },
      { 'mcp-session-id': session, 'accept-encoding': 'gzip' },
    );
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.headers['content-encoding']).toBe('gzip');
    const gunzip = res.pipe(zlib.createGunzip());
    let text = '';
    const seen: { kind: string; at: number }[] = [];
    const t0 = Date.now();
    for await (const chunk of gunzip) {
      text += (chunk as Buffer).toString();
      for (const m of text.matchAll(/data: (.*)\n/g)) {
        const msg = JSON.parse(m[1] as string) as {
          method?: string;
          params?: { progress?: number };
          result?: unknown;
        };
        const kind = msg.method === 'notifications/progress' ? `progress ${msg.params?.progress}` : 'result';
        if (!seen.some((s) => s.kind === kind)) seen.push({ kind, at: Date.now() - t0 });
      }
      if (seen.some((s) => s.kind === 'result')) break;
    }
    expect(seen.map((s) => s.kind)).toEqual(['progress 1', 'progress 2', 'result']);
    const [first, second] = seen as unknown as [{ at: number }, { at: number }];
    // The first event was read about one step before the second one was even produced.
    expect(second.at - first.at).toBeGreaterThan(delayMs * 0.6);
  });

  it('an SDK client works against a compressing server', async () => {
    const serve = await startServe(['--listen', 'http://127.0.0.1:0/mcp', '--http-compression']);
    started.push(serve);
    const client = new Client({ name: 'sdk', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.urls[0] as string)));
    const message = bigText();
    const result = (await client.callTool({ name: 'echo', arguments: { message } })) as {
      content: { text: string }[];
    };
    expect(result.content[0]?.text).toBe(message);
    await client.close();
  });
});
