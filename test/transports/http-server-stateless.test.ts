/**
 * The 2026-07-28 (stateless) era on the same endpoint: the SDK v2 client negotiating the modern era
 * against an SDK v2 server served over our shared stateless transport, plus the wire rules (405, header
 * validation, version errors, 404 for unknown methods, close-stream cancellation, subscriptions/listen).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { isRequest } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';
import type { StatelessHttpTransport } from '../../src/transports/http/server/stateless-transport.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import { openSse, post, request, startHttp, until, type Started } from '../fixtures/http-server-harness.js';
import { createModernServer } from '../fixtures/modern-server.js';
import { compiledFixture } from '../fixtures/compiled.js';

const MODERN = '2026-07-28';
const meta = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serveModern(): Promise<Started & { events: { cancelled: number }; eras: string[] }> {
  const events = { cancelled: 0 };
  const eras: string[] = [];
  const started = await startHttp((t, info) => {
    eras.push(info.era);
    if (info.era !== 'stateless') return void t.close();
    // Our Transport is structurally the SDK v2 Transport: serveStdio takes it as its wire.
    const handle = serveStdio(() => createModernServer(events), { transport: t });
    cleanups.push(() => handle.close());
  });
  cleanups.push(() => started.listener.close({ graceMs: 100 }));
  return { ...started, events, eras };
}

/** A raw backend (no SDK) recording what reaches it and answering with a scripted function. */
async function serveRaw(answer: (m: JSONRPCMessage, t: Transport) => void) {
  const seen: JSONRPCMessage[] = [];
  let transport: StatelessHttpTransport | undefined;
  const started = await startHttp((t, info) => {
    if (info.era !== 'stateless') return void t.close();
    transport = t as StatelessHttpTransport;
    t.onmessage = (m) => {
      seen.push(m);
      answer(m, t);
    };
    void t.start();
  });
  cleanups.push(() => started.listener.close({ graceMs: 100 }));
  return { ...started, seen, transport: () => transport };
}

function modernHeaders(method: string, name?: string): Record<string, string> {
  return {
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
    ...(name === undefined ? {} : { 'mcp-name': name }),
  };
}

describe('Streamable HTTP 2026-07-28 with the SDK v2 client', () => {
  it('negotiates the modern era and calls tools with progress on a request-scoped stream', async () => {
    const s = await serveModern();
    const client = new Client({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(s.url));
    cleanups.push(() => client.close());
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(s.eras).toEqual(['stateless']);
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'hi' }]);
    const progress: number[] = [];
    const counted = await client.callTool(
      { name: 'countdown', arguments: { steps: 3 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(counted.content).toEqual([{ type: 'text', text: 'done 3' }]);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('relays a multi-round-trip elicitation (the 2026 form of a server→client request)', async () => {
    const s = await serveModern();
    const client = new Client(
      { name: 'v2', version: '1.0.0' },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: 'auto' } },
    );
    client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { yes: true } }));
    await client.connect(new StreamableHTTPClientTransport(s.url));
    cleanups.push(() => client.close());
    const result = await client.callTool({ name: 'confirm', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'answer=accept {"yes":true}' }]);
  });

  it('treats an aborted request (closed response stream) as cancellation of the server work', async () => {
    const s = await serveModern();
    const client = new Client({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(s.url));
    cleanups.push(() => client.close());
    const abort = new AbortController();
    const call = client.callTool({ name: 'wait', arguments: {} }, { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    await expect(call).rejects.toThrow();
    await until(() => s.events.cancelled === 1, 20_000, 'server-side cancellation');
  });
});

describe('Streamable HTTP 2026-07-28 as a proxy frontend', () => {
  it(
    'relays every modern client through one stdio child (no id translation in the relay)',
    { timeout: 30_000 },
    async () => {
      const children: StdioClientTransport[] = [];
      const started = await startHttp((front, info) => {
        if (info.era !== 'stateless') return void front.close();
        const back = new StdioClientTransport({
          command: process.execPath,
          args: [compiledFixture('modern-server.ts')],
          inheritEnv: true,
        });
        children.push(back);
        front.onmessage = (m) => void back.send(m).catch(() => undefined);
        back.onmessage = (m) => void front.send(m).catch(() => undefined);
        void back.start().then(() => front.start());
      });
      cleanups.push(async () => {
        await started.listener.close({ graceMs: 100 });
        await Promise.all(children.map((c) => c.close()));
      });
      const clients = await Promise.all(
        [1, 2].map(async () => {
          const c = new Client(
            { name: 'v2', version: '1.0.0' },
            { capabilities: { elicitation: {} }, versionNegotiation: { mode: 'auto' } },
          );
          c.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { yes: false } }));
          await c.connect(new StreamableHTTPClientTransport(started.url));
          cleanups.push(() => c.close());
          return c;
        }),
      );
      // Both clients use the same request ids; the listener keeps them apart.
      const results = await Promise.all(
        clients.map(async (c, i) => {
          const progress: number[] = [];
          const r = await c.callTool(
            { name: 'countdown', arguments: { steps: 2 + i } },
            { onprogress: (p) => progress.push(p.progress) },
          );
          return { r, progress };
        }),
      );
      expect(results[0]?.r.content).toEqual([{ type: 'text', text: 'done 2' }]);
      expect(results[0]?.progress).toEqual([1, 2]);
      expect(results[1]?.r.content).toEqual([{ type: 'text', text: 'done 3' }]);
      expect(results[1]?.progress).toEqual([1, 2, 3]);
      const confirmed = await clients[0]?.callTool({ name: 'confirm', arguments: {} });
      expect(confirmed?.content).toEqual([{ type: 'text', text: 'answer=accept {"yes":false}' }]);
      expect(children).toHaveLength(1);
    },
  );
});

describe('Streamable HTTP 2026-07-28 on the wire', () => {
  const echo = (m: JSONRPCMessage, t: Transport): void => {
    if (isRequest(m)) {
      if (m.method === 'nope')
        void t.send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
      else
        void t.send({ jsonrpc: '2.0', id: m.id, result: { resultType: 'complete', echoed: m.params ?? {} } });
    }
  };

  it('answers GET and DELETE from a modern client with 405', async () => {
    const s = await serveRaw(echo);
    const get = await request(s.url, {
      headers: { accept: 'text/event-stream', 'mcp-protocol-version': MODERN },
    });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const del = await request(s.url, { method: 'DELETE', headers: { 'mcp-protocol-version': MODERN } });
    expect(del.status).toBe(405);
  });

  it('answers 503 when onConnection refused the stateless transport; 400 for a GET with an unknown version', async () => {
    const started = await startHttp((t) => void t.close());
    cleanups.push(() => started.listener.close({ graceMs: 100 }));
    const refused = await post(
      started.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } },
      modernHeaders('tools/list'),
    );
    expect(refused.status).toBe(503);
    const get = await request(started.url, {
      headers: { accept: 'text/event-stream', 'mcp-protocol-version': '2099-01-01' },
    });
    expect(get.status).toBe(400);
    expect(get.json()).toMatchObject({ error: { code: -32022 } });
  });

  it('restores the client id, answers JSON, and ignores Mcp-Session-Id', async () => {
    const s = await serveRaw(echo);
    const reply = await post(
      s.url,
      { jsonrpc: '2.0', id: 'client-7', method: 'tools/list', params: { _meta: meta } },
      { ...modernHeaders('tools/list'), 'mcp-session-id': 'whatever' },
    );
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['mcp-session-id']).toBeUndefined();
    expect(reply.json()).toMatchObject({ id: 'client-7', result: { resultType: 'complete' } });
    expect(typeof (s.seen[0] as { id: unknown }).id).toBe('number'); // rewritten: unique across clients
  });

  it('validates MCP-Protocol-Version, Mcp-Method and Mcp-Name against the body (400 + -32020)', async () => {
    const s = await serveRaw(echo);
    const call = (
      headers: Record<string, string>,
      params: Record<string, unknown> = { name: 'echo', _meta: meta },
    ) => post(s.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params }, headers);
    const ok = await call(modernHeaders('tools/call', 'echo'));
    expect(ok.status).toBe(200);
    for (const bad of [
      await call(modernHeaders('tools/list', 'echo')),
      await call(modernHeaders('tools/call')),
      await call(modernHeaders('tools/call', 'other')),
      await call({ 'mcp-method': 'tools/call', 'mcp-name': 'echo' }),
      await call(modernHeaders('tools/call', 'echo'), {
        name: 'echo',
        _meta: { ...meta, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' },
      }),
    ]) {
      expect(bad.status).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: -32020 } });
    }
    const encoded = await post(
      s.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'héllo', _meta: meta } },
      modernHeaders('tools/call', `=?base64?${Buffer.from('héllo').toString('base64')}?=`),
    );
    expect(encoded.status).toBe(200);
    expect(s.seen).toHaveLength(2); // refused requests never reached the server
  });

  it('checks Mcp-Param-* headers for tools that declare x-mcp-header', async () => {
    const s = await serveRaw((m, t) => {
      if (!isRequest(m)) return;
      const result =
        m.method === 'tools/list'
          ? {
              resultType: 'complete',
              tools: [
                {
                  name: 'sql',
                  inputSchema: {
                    type: 'object',
                    properties: {
                      region: { type: 'string', 'x-mcp-header': 'Region' },
                      limit: { type: 'integer', 'x-mcp-header': 'Limit' },
                    },
                  },
                },
              ],
            }
          : { resultType: 'complete' };
      void t.send({ jsonrpc: '2.0', id: m.id, result });
    });
    await post(
      s.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } },
      modernHeaders('tools/list'),
    );
    const call = (args: Record<string, unknown>, extra: Record<string, string>) =>
      post(
        s.url,
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'sql', arguments: args, _meta: meta },
        },
        {
          ...modernHeaders('tools/call', 'sql'),
          ...extra,
        },
      );
    expect(
      (
        await call(
          { region: 'us-west1', limit: 42 },
          { 'mcp-param-region': 'us-west1', 'mcp-param-limit': '42.0' },
        )
      ).status,
    ).toBe(200);
    expect((await call({ region: 'us-west1' }, { 'mcp-param-region': 'us-west1' })).status).toBe(200);
    expect((await call({ region: 'us-west1' }, {})).status).toBe(400);
    expect((await call({ region: 'us-west1' }, { 'mcp-param-region': 'eu-west1' })).status).toBe(400);
    expect((await call({}, { 'mcp-param-region': 'us-west1' })).status).toBe(400);
    expect((await call({ region: 'ü' }, { 'mcp-param-region': '=?base64?w7w=?=' })).status).toBe(200);
  });

  it('answers an unsupported version with -32022 listing the supported ones, and an unknown method with 404 -32601', async () => {
    const s = await serveRaw(echo);
    const old = await post(
      s.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } },
      modernHeaders('tools/list', undefined),
    );
    expect(old.status).toBe(200);
    const unknown = await post(
      s.url,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { _meta: { ...meta, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
      },
      { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({
      id: 1,
      error: { code: -32022, data: { requested: '2099-01-01' } },
    });
    expect((unknown.json() as { error: { data: { supported: string[] } } }).error.data.supported).toContain(
      MODERN,
    );
    const nope = await post(
      s.url,
      { jsonrpc: '2.0', id: 3, method: 'nope', params: { _meta: meta } },
      modernHeaders('nope'),
    );
    expect(nope.status).toBe(404);
    expect(nope.json()).toMatchObject({ id: 3, error: { code: -32601 } });
  });

  it('delivers notifications/cancelled when the client closes a stream before the response', async () => {
    const s = await serveRaw((m, t) => {
      // Start a stream (progress) and never answer.
      const token = (m.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken;
      if (token !== undefined)
        void t.send({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: token, progress: 1 },
        });
    });
    const cancelled: unknown[] = [];
    const stream = await openSse(s.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...modernHeaders('tools/call', 'slow'),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'c1',
        method: 'tools/call',
        params: { name: 'slow', _meta: { ...meta, progressToken: 'tok' } },
      }),
    });
    await stream.waitFor(1);
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect(JSON.parse(stream.events[0]?.data ?? '{}')).toMatchObject({
      params: { progressToken: 'tok', progress: 1 },
    });
    s.transport()!.onrequestcancelled = (c) => cancelled.push(c);
    stream.close();
    await until(() => s.seen.length === 2, 20_000, 'synthesized cancellation');
    const internalId = (s.seen[0] as { id: number }).id;
    expect(s.seen[1]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: internalId, reason: 'The client closed the response stream' },
    });
    expect(cancelled).toEqual([{ requestId: internalId, clientRequestId: 'c1', method: 'tools/call' }]);
  });

  it('keeps a subscriptions/listen stream open, routed by subscription id, until the client closes it', async () => {
    let listenId: number | undefined;
    const s = await serveRaw((m, t) => {
      if (m.method === 'subscriptions/listen' && 'id' in m && typeof m.id === 'number') {
        listenId = m.id;
        void t.send({
          jsonrpc: '2.0',
          method: 'notifications/subscriptions/acknowledged',
          params: {
            notifications: { toolsListChanged: true },
            _meta: { 'io.modelcontextprotocol/subscriptionId': m.id },
          },
        });
      }
    });
    const stream = await openSse(s.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...modernHeaders('subscriptions/listen'),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'sub-1',
        method: 'subscriptions/listen',
        params: { notifications: { toolsListChanged: true }, _meta: meta },
      }),
    });
    await stream.waitFor(1);
    const t = s.transport()!;
    await t.send({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': listenId } },
    });
    // Unrelated notifications have no stream in this era.
    await t.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } });
    await stream.waitFor(2);
    expect(
      stream.events.map(
        (e) => JSON.parse(e.data) as { method: string; params: { _meta: Record<string, unknown> } },
      ),
    ).toMatchObject([
      {
        method: 'notifications/subscriptions/acknowledged',
        params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } },
      },
      {
        method: 'notifications/tools/list_changed',
        params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } },
      },
    ]);
    stream.close();
    await until(
      () => s.seen.some((m) => m.method === 'notifications/cancelled'),
      2000,
      'listen cancellation',
    );
    expect(t.inflightCount).toBe(0);
  });
});
