import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../src/cli/commands/serve.js';
import { createDashboardWiring } from '../../src/cli/serve/dashboard-wiring.js';
import { ServeConfigSchema } from '../../src/config/serve-config.js';
import { renderTop } from '../../src/dashboard/top-render.js';
import { LiveMonitor } from '../../src/dashboard/live-monitor.js';
import { RecordingMock } from '../../src/middleware/tap/recording-mock.js';
import type { RecordedFrame } from '../../src/middleware/tap/recording.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { captureLog } from '../security/harness.js';

const frame = (ms: number, direction: 'in' | 'out', message: Record<string, unknown>): RecordedFrame => ({
  time: new Date(1_700_000_000_000 + ms).toISOString(),
  session: 's1',
  direction,
  message: { jsonrpc: '2.0', ...message } as JSONRPCMessage,
});

const RECORDING: RecordedFrame[] = [
  frame(0, 'in', { id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'a' } } }),
  frame(5, 'out', { id: 1, result: { content: [{ type: 'text', text: 'a' }] } }),
  frame(10, 'in', { id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'b' } } }),
  frame(15, 'out', { id: 2, result: { content: [{ type: 'text', text: 'b' }] } }),
  frame(20, 'in', {
    id: 3,
    method: 'tools/call',
    params: { name: 'count', arguments: {}, _meta: { progressToken: 9 } },
  }),
  frame(40, 'out', { method: 'notifications/progress', params: { progressToken: 9, progress: 1, total: 2 } }),
  frame(60, 'out', { method: 'notifications/progress', params: { progressToken: 9, progress: 2, total: 2 } }),
  frame(80, 'out', { id: 3, result: { content: [{ type: 'text', text: 'counted' }] } }),
  frame(90, 'in', { id: 4, method: 'tools/call', params: { name: 'count', arguments: {} } }),
  frame(95, 'out', { id: 4, result: { content: [{ type: 'text', text: 'counted again' }] } }),
];

/** Serves the mock on one end of an in-memory pair; returns the client end and what it received. */
async function connectMock(
  mock: RecordingMock,
): Promise<{ client: InMemoryTransport; received: JSONRPCMessage[] }> {
  const [client, server] = InMemoryTransport.createLinkedPair();
  const received: JSONRPCMessage[] = [];
  client.onmessage = (m) => received.push(m);
  await mock.serve(server);
  await client.start();
  return { client, received };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('RecordingMock', () => {
  it('answers a matching request with the recorded answer, its progress re-tokened before it', async () => {
    const { client, received } = await connectMock(new RecordingMock(RECORDING, { speed: 0 }));
    await client.send({
      jsonrpc: '2.0',
      id: 'x',
      method: 'tools/call',
      params: { name: 'count', arguments: {}, _meta: { progressToken: 'mine' } },
    });
    await until(() => received.length === 3);
    expect(
      received.map((m) => ('method' in m ? (m.params as { progressToken?: unknown }).progressToken : m.id)),
    ).toEqual(['mine', 'mine', 'x']);
    expect(received[2]).toMatchObject({ id: 'x', result: { content: [{ text: 'counted' }] } });
  });

  it('matches arguments in any key order, each of equal calls in turn, and names the nearest calls otherwise', () => {
    const mock = new RecordingMock(RECORDING);
    expect(
      mock.match({ method: 'tools/call', params: { arguments: { text: 'b' }, name: 'echo' } })?.answer,
    ).toMatchObject({ id: 2 });
    expect(
      mock.match({ method: 'tools/call', params: { name: 'count', arguments: {} } })?.answer,
    ).toMatchObject({ id: 3 });
    expect(
      mock.match({ method: 'tools/call', params: { name: 'count', arguments: {} } })?.answer,
    ).toMatchObject({ id: 4 });
    expect(
      mock.match({ method: 'tools/call', params: { name: 'count', arguments: {} } })?.answer,
    ).toMatchObject({ id: 4 });
    expect(
      mock.match({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'c' } } }),
    ).toBeUndefined();
    const nearest = mock.nearest({
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'c' } },
    });
    expect(nearest.map((c) => c.request.id)).toEqual([1, 2, 3]);
    const byName = new RecordingMock(RECORDING, { match: 'name' });
    expect(
      byName.match({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'zzz' } } })?.answer,
    ).toMatchObject({ id: 1 });
  });

  it('keeps the recorded timing, scaled by speed', async () => {
    const { client, received } = await connectMock(new RecordingMock(RECORDING, { speed: 0.5 }));
    const started = Date.now();
    await client.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'count', arguments: {}, _meta: { progressToken: 1 } },
    });
    await until(() => received.some((m) => 'result' in m));
    // Recorded: 60 ms from request (20) to answer (80); at half speed 120 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('answers an unmatched request with -32602 and the nearest recorded calls', async () => {
    const { client, received } = await connectMock(new RecordingMock(RECORDING, { speed: 0 }));
    await client.send({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'zz' } },
    });
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({
      id: 5,
      error: {
        code: -32602,
        data: {
          match: 'exact',
          nearest: ['tools/call echo {"text":"a"}', 'tools/call echo {"text":"b"}', 'tools/call count {}'],
        },
      },
    });
  });
});

describe('dashboard wiring', () => {
  it('is off on a non-loopback admin address without authentication (and says so), on with it', () => {
    const capture = captureLog();
    const open = ServeConfigSchema.parse({ listen: ['http://127.0.0.1:0/mcp'], adminBind: '0.0.0.0:9464' });
    const off = createDashboardWiring(open, capture.logger, () => false, { server: 'b' });
    expect(off.monitor).toBeUndefined();
    expect(off.adminRoutes()).toEqual({});
    expect(capture.lines().some((l) => String(l.msg).includes('dashboard is off'))).toBe(true);
    const on = createDashboardWiring(open, capture.logger, () => true, { server: 'b' });
    expect(Object.keys(on.adminRoutes())).toContain('/dashboard/api/events');
    const loopback = ServeConfigSchema.parse({
      listen: ['http://127.0.0.1:0/mcp'],
      adminBind: '127.0.0.1:9464',
    });
    expect(
      createDashboardWiring(loopback, capture.logger, () => false, { server: 'b' }).monitor,
    ).toBeDefined();
    // No admin endpoint and no --dashboard: nothing is collected.
    const none = ServeConfigSchema.parse({ listen: ['http://127.0.0.1:0/mcp'] });
    expect(createDashboardWiring(none, capture.logger, () => false, { server: 'b' }).monitor).toBeUndefined();
  });

  it('never puts the front door over an MCP endpoint at /', () => {
    const capture = captureLog();
    const config = ServeConfigSchema.parse({ listen: ['http://127.0.0.1:0/', 'http://127.0.0.1:0/mcp'] });
    const w = createDashboardWiring(config, capture.logger, () => false, { server: 'b' });
    expect(w.frontendRoutes('http://127.0.0.1:0/', () => ({}))).toEqual({});
    expect(Object.keys(w.frontendRoutes('http://127.0.0.1:0/mcp', () => ({})))).toEqual(['/']);
  });
});

describe('switchboard top rendering', () => {
  it('renders totals, sessions, backends and operations in plain text', () => {
    const m = new LiveMonitor({ server: 'srv' });
    m.sessionOpened('s1', 'tcp');
    m.observe('s1', 'in', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fail' } });
    m.observe('s1', 'out', { jsonrpc: '2.0', id: 1, error: { code: -1, message: 'bad' } });
    m.onProxyEvent({ type: 'backend', sessionId: 's1', event: { type: 'started', attempt: 1 } as never });
    const text = renderTop(m.snapshot(), { width: 120, height: 60, color: false, source: 'http://x' });
    expect(text).toContain('switchboard top — http://x');
    expect(text).toMatch(/sessions 1 {3}in flight 0 {3}requests 1 {3}errors 1/);
    expect(text).toMatch(/srv +tools\/call fail +1 +100/);
    expect(text).toMatch(/srv +s1 +up +0/);
    expect(text).not.toContain('\u001b[');
  });
});

describe('dashboard flags and config', () => {
  const none = { positional: [] as string[], command: [] as string[] };
  it('defaults: on at the admin endpoint, off on frontends, front door on', () => {
    const c = resolveServeConfig({}, none);
    expect(c.dashboard).toEqual({ admin: true, frontends: false, tailFrames: 500 });
    expect(c.frontDoor).toBe(true);
  });
  it('--dashboard, --no-admin-dashboard and --no-front-door', () => {
    const c = resolveServeConfig({ dashboard: true, adminDashboard: false, frontDoor: false }, none);
    expect(c.dashboard).toMatchObject({ admin: false, frontends: true });
    expect(c.frontDoor).toBe(false);
  });
});
