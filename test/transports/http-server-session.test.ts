/**
 * The 2025-era Streamable HTTP listener with real SDK v1 clients and servers (SSE and JSON response
 * modes), plus the session rules on the wire (400/404/409, DELETE, idle expiry, protocol version).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { isRequest } from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';
import { StdioClientTransport } from '../../src/transports/stdio-client.js';
import type { ResponseMode } from '../../src/transports/http/server/options.js';
import { createConformanceServer } from '../fixtures/conformance-server.js';
import { openSse, post, request, startHttp, until, type Started } from '../fixtures/http-server-harness.js';
import { compiledFixture } from '../fixtures/compiled.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serveConformance(mode: ResponseMode, extra: Parameters<typeof startHttp>[1] = {}) {
  const transports: Transport[] = [];
  const closed: string[] = [];
  const started = await startHttp(
    (t, info) => {
      transports.push(t);
      const server = createConformanceServer();
      void server.connect(t).then(() => {
        const prev = t.onclose;
        t.onclose = () => {
          closed.push(info.sessionId ?? '');
          prev?.();
        };
      });
    },
    { responseMode: mode, ...extra },
  );
  cleanups.push(() => started.listener.close({ graceMs: 100 }));
  return { ...started, transports, closed };
}

async function v1Client(s: Started): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client(
    { name: 'v1', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    role: 'assistant',
    content: { type: 'text', text: 'forty-two' },
    model: 'test',
  }));
  client.setRequestHandler(ElicitRequestSchema, () => ({
    action: 'accept',
    content: { username: 'u', email: 'e@x' },
  }));
  const transport = new StreamableHTTPClientTransport(s.url);
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, transport };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe.each<ResponseMode>(['sse', 'json'])('Streamable HTTP 2025 era, %s mode, SDK v1 client', (mode) => {
  it('lists and calls tools, with progress notifications on the request stream', async () => {
    const s = await serveConformance(mode);
    const { client, transport } = await v1Client(s);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('test_tool_with_progress');
    const progress: number[] = [];
    const result = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress).toEqual([0, 50, 100]);
    expect(result.content).toEqual([{ type: 'text', text: 'Progress tool finished.' }]);
    expect(s.listener.connectionCount).toBe(1);
  });

  it('carries server→client requests (sampling, elicitation) made while a tool runs', async () => {
    const s = await serveConformance(mode);
    const { client } = await v1Client(s);
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'question?' } });
    expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: forty-two' }]);
    const elicited = await client.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } });
    expect(JSON.stringify(elicited.content)).toContain('action=accept');
  });

  it('answers a plain request with the configured content type', async () => {
    const s = await serveConformance(mode);
    const init = await post(s.url, initialize);
    expect(init.status).toBe(200);
    const sid = init.headers['mcp-session-id'] as string;
    const ping = await post(s.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': sid });
    expect(ping.status).toBe(200);
    expect(ping.headers['content-type']).toBe(mode === 'sse' ? 'text/event-stream' : 'application/json');
    expect(ping.body).toContain('"id":2');
    // A tool that sends progress first upgrades a JSON-mode POST to a stream.
    const call = await post(
      s.url,
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'p' } },
      },
      { 'mcp-session-id': sid },
    );
    expect(call.headers['content-type']).toBe('text/event-stream');
    expect(call.body).toContain('notifications/progress');
  });
});

describe('Streamable HTTP 2025 era, SDK v2 client (no era negotiation)', () => {
  it('initializes a session and calls tools with progress and sampling', async () => {
    const s = await serveConformance('sse');
    const client = new V2Client({ name: 'v2', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler('sampling/createMessage', () => ({
      role: 'assistant',
      content: { type: 'text', text: 'v2 says hi' },
      model: 'test',
    }));
    await client.connect(new V2Transport(s.url));
    cleanups.push(() => client.close());
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    const progress: number[] = [];
    await client.callTool(
      { name: 'test_tool_with_progress', arguments: {} },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(progress).toEqual([0, 50, 100]);
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'q' } });
    expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: v2 says hi' }]);
  });
});

describe('era fallback', () => {
  it('an SDK v2 client in auto mode falls back to the 2025 era when the listener serves only that', async () => {
    const s = await serveConformance('sse', { eras: { stateless: false } });
    const client = new V2Client({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new V2Transport(s.url));
    cleanups.push(() => client.close());
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    const result = await client.callTool({ name: 'test_simple_text', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'This is a simple text response for testing.' }]);
  });
});

describe('Streamable HTTP 2025 era as a proxy frontend', () => {
  it(
    'relays raw frames to a per-session stdio child: progress and sampling find their way',
    { timeout: 30_000 },
    async () => {
      const children: StdioClientTransport[] = [];
      const started = await startHttp(
        (front) => {
          // The shape of a proxy: frames pass unchanged both ways, without relatedRequestId.
          const back = new StdioClientTransport({
            command: process.execPath,
            args: [compiledFixture('conformance-server.ts')],
            inheritEnv: true,
          });
          children.push(back);
          front.onmessage = (m) => void back.send(m).catch(() => undefined);
          back.onmessage = (m) => void front.send(m).catch(() => undefined);
          front.onclose = () => void back.close();
          back.onclose = () => void front.close();
          void back.start().then(() => front.start());
        },
        { responseMode: 'sse' },
      );
      cleanups.push(async () => {
        await started.listener.close({ graceMs: 100 });
        await Promise.all(children.map((c) => c.close()));
      });
      const { client } = await v1Client(started);
      const progress: number[] = [];
      await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      expect(progress).toEqual([0, 50, 100]);
      const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'q' } });
      expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: forty-two' }]);
    },
  );
});

describe('Streamable HTTP 2025 era: session rules on the wire', () => {
  it('issues a random session id on initialize; 400 without it, 404 for an unknown one', async () => {
    const s = await serveConformance('json');
    const a = await post(s.url, initialize);
    const b = await post(s.url, initialize);
    const idA = a.headers['mcp-session-id'] as string;
    expect(idA).toMatch(/^[\x21-\x7e]+$/);
    expect(b.headers['mcp-session-id']).not.toBe(idA);
    const missing = await post(s.url, { jsonrpc: '2.0', id: 2, method: 'ping' });
    expect(missing.status).toBe(400);
    const unknown = await post(
      s.url,
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { 'mcp-session-id': 'nope' },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
  });

  it('answers notifications and responses with 202 and no body', async () => {
    const s = await serveConformance('json');
    const sid = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    const note = await post(
      s.url,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { 'mcp-session-id': sid },
    );
    expect(note.status).toBe(202);
    expect(note.body).toBe('');
  });

  it('validates MCP-Protocol-Version (400 listing the supported versions)', async () => {
    const s = await serveConformance('json');
    const sid = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    const bad = await post(
      s.url,
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' },
    );
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: -32022, data: { requested: '1999-01-01' } } });
    const ok = await post(
      s.url,
      { jsonrpc: '2.0', id: 3, method: 'ping' },
      { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' },
    );
    expect(ok.status).toBe(200);
  });

  it('allows one standalone GET stream per session (409 for a second)', async () => {
    const s = await serveConformance('json');
    const sid = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    const first = await openSse(s.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid } });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream');
    expect(first.headers['x-accel-buffering']).toBe('no');
    const second = await request(s.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid } });
    expect(second.status).toBe(409);
    first.close();
    await until(() => s.transports.length === 1);
    const notAcceptable = await request(s.url, {
      headers: { accept: 'application/json', 'mcp-session-id': sid },
    });
    expect(notAcceptable.status).toBe(406);
  });

  it('DELETE ends the session: the transport closes and the id is then unknown', async () => {
    const s = await serveConformance('json');
    const { client, transport } = await v1Client(s);
    const sid = transport.sessionId as string;
    await transport.terminateSession();
    await until(() => s.closed.includes(sid), 20_000, 'server-side onclose');
    const after = await post(s.url, { jsonrpc: '2.0', id: 9, method: 'ping' }, { 'mcp-session-id': sid });
    expect(after.status).toBe(404);
    expect(s.listener.connectionCount).toBe(0);
    await client.close();
  });

  it('expires idle sessions (configurable)', async () => {
    const s = await serveConformance('json', { sessionIdleTimeoutMs: 150 });
    const sid = (await post(s.url, initialize)).headers['mcp-session-id'] as string;
    await until(() => s.closed.includes(sid), 20_000, 'idle expiry');
    const after = await post(s.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': sid });
    expect(after.status).toBe(404);
  });

  it('routes progress from a raw relay (no relatedRequestId) to its request stream by token', async () => {
    const started = await startHttp(
      (t) => {
        t.onmessage = (m) => {
          if (!isRequest(m)) return;
          if (m.method === 'initialize') {
            void t.send({
              jsonrpc: '2.0',
              id: m.id,
              result: {
                protocolVersion: '2025-06-18',
                capabilities: {},
                serverInfo: { name: 'r', version: '1' },
              },
            });
            return;
          }
          const token = m.params?._meta?.progressToken;
          void t.send({
            jsonrpc: '2.0',
            method: 'notifications/progress',
            params: { progressToken: token, progress: 1 },
          });
          void t.send({ jsonrpc: '2.0', id: m.id, result: {} });
        };
        void t.start();
      },
      { responseMode: 'json' },
    );
    cleanups.push(() => started.listener.close({ graceMs: 100 }));
    const sid = (await post(started.url, initialize)).headers['mcp-session-id'] as string;
    const call = await post(
      started.url,
      {
        jsonrpc: '2.0',
        id: 5,
        method: 'tools/call',
        params: { name: 'x', _meta: { progressToken: 'tok-5' } },
      },
      { 'mcp-session-id': sid },
    );
    expect(call.headers['content-type']).toBe('text/event-stream'); // upgraded by the progress
    expect(call.body).toContain('"progressToken":"tok-5"');
    expect(call.body).toContain('"id":5');
  });

  it('accepts a 2025-03-26 batch and answers it as one JSON array', async () => {
    const s = await serveConformance('json');
    const sid = (
      await post(s.url, { ...initialize, params: { ...initialize.params, protocolVersion: '2025-03-26' } })
    ).headers['mcp-session-id'] as string;
    const batch = await post(
      s.url,
      [
        { jsonrpc: '2.0', id: 'a', method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 'b', method: 'tools/list' },
      ],
      { 'mcp-session-id': sid },
    );
    expect(batch.status).toBe(200);
    const answers = batch.json() as { id: string }[];
    expect(answers.map((a) => a.id).sort()).toEqual(['a', 'b']);
    const refused = await post(s.url, [{ jsonrpc: '2.0', id: 'c', method: 'ping' }], {
      'mcp-session-id': sid,
      'mcp-protocol-version': '2025-06-18',
    });
    expect(refused.status).toBe(400);
  });

  it('refuses malformed bodies and media types', async () => {
    const s = await serveConformance('json');
    const parse = await request(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(parse.status).toBe(400);
    expect(parse.json()).toMatchObject({ error: { code: -32700 } });
    const media = await request(s.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(media.status).toBe(415);
    const shape = await post(s.url, { jsonrpc: '1.0', id: 1, method: 'x' });
    expect(shape.status).toBe(400);
    const put = await request(s.url, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, DELETE');
  });
});
