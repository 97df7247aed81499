/**
 * The deprecated HTTP+SSE (2024-11-05) endpoints, served beside Streamable HTTP by the same listener,
 * with the real SDK v1 `SSEClientTransport`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createConformanceServer } from '../fixtures/conformance-server.js';
import { openSse, post, request, startHttp, until } from '../fixtures/http-server-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(legacySse?: { ssePath: string; messagesPath: string }) {
  const eras: string[] = [];
  let closed = 0;
  const started = await startHttp(
    (t, info) => {
      eras.push(info.era);
      void createConformanceServer()
        .connect(t)
        .then(() => {
          const prev = t.onclose;
          t.onclose = () => {
            closed++;
            prev?.();
          };
        });
    },
    legacySse ? { legacySse } : {},
  );
  cleanups.push(() => started.listener.close({ graceMs: 100 }));
  return { ...started, eras, closed: () => closed };
}

describe('legacy HTTP+SSE server (2024-11-05)', () => {
  it('serves the SDK SSEClientTransport: tools with progress and a sampling round trip', async () => {
    const s = await serve();
    const client = new Client({ name: 'legacy', version: '1' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      role: 'assistant',
      content: { type: 'text', text: 'ok' },
      model: 'm',
    }));
    await client.connect(new SSEClientTransport(new URL('/sse', s.url)));
    cleanups.push(() => client.close());
    expect(s.eras).toEqual(['legacy-sse']);
    const progress: number[] = [];
    const result = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    // The last progress event and the response often share one TCP segment; the SDK v1 client runs
    // notification handlers a microtask later than response handlers and so drops that last one.
    expect(progress.slice(0, 2)).toEqual([0, 50]);
    expect(result.content).toEqual([{ type: 'text', text: 'Progress tool finished.' }]);
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'q' } });
    expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: ok' }]);
    await client.close();
    await until(() => s.closed() === 1, 20_000, 'server transport close after the client left');
    expect(s.listener.connectionCount).toBe(0);
  });

  it('announces the POST endpoint first, then routes POSTs by sessionId (400/404 otherwise)', async () => {
    const s = await serve({ ssePath: '/events', messagesPath: '/rpc' });
    const stream = await openSse(new URL('/events', s.url), { headers: { accept: 'text/event-stream' } });
    cleanups.push(() => Promise.resolve(stream.close()));
    await stream.waitFor(1);
    const first = stream.events[0];
    expect(first?.event).toBe('endpoint');
    expect(first?.data).toMatch(/^\/rpc\?sessionId=[0-9a-f-]{36}$/);
    const endpoint = new URL(first?.data ?? '', s.url);
    const init = await post(endpoint, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    expect(init.status).toBe(202);
    await stream.waitFor(2);
    expect(JSON.parse(stream.events[1]?.data ?? '{}')).toMatchObject({
      id: 1,
      result: { serverInfo: { name: 'switchboard-conformance-backend' } },
    });
    expect((await post(new URL('/rpc', s.url), { jsonrpc: '2.0', id: 2, method: 'ping' })).status).toBe(400);
    expect(
      (await post(new URL('/rpc?sessionId=unknown', s.url), { jsonrpc: '2.0', id: 2, method: 'ping' }))
        .status,
    ).toBe(404);
    expect((await request(new URL('/events', s.url), { method: 'POST' })).status).toBe(405);
    expect((await request(new URL('/sse', s.url), { headers: { accept: 'text/event-stream' } })).status).toBe(
      404,
    );
  });

  it('can be turned off', async () => {
    const started = await startHttp(() => undefined, { legacySse: false });
    cleanups.push(() => started.listener.close({ graceMs: 100 }));
    expect(
      (await request(new URL('/sse', started.url), { headers: { accept: 'text/event-stream' } })).status,
    ).toBe(404);
  });
});
