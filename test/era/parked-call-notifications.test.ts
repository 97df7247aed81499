/**
 * A 2026-07-28 call bridged to a 2025 server is *parked* between its `input_required` answer and the
 * client's retry, while the 2025 server works on. Progress and log messages the server sends meanwhile
 * reach the retry, in order and before its result, under the retry's own progress token.
 * In process: the proxy with the era bridge, an SDK v1 McpServer behind it, a raw 2026-07-28 client.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, expect, it } from 'vitest';
import { EraBridge } from '../../src/era/era-bridge.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import { Proxy } from '../../src/proxy/proxy.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '1' },
  'io.modelcontextprotocol/logLevel': 'info',
};

/** A promise and its resolver. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

it('delivers what the 2025 server reported while the call was parked to the retry, before its result', async () => {
  const parked = gate();
  const reported = gate();
  const connect = (): InMemoryTransport => {
    const [ours, theirs] = InMemoryTransport.createLinkedPair();
    const server = new McpServer({ name: 'legacy', version: '1.0.0' }, { capabilities: { logging: {} } });
    server.registerTool('slow-ask', { description: 'Reports progress around a question' }, async (extra) => {
      const progressToken = extra._meta?.progressToken;
      if (progressToken === undefined) throw new Error('no progress token');
      const progress = (n: number) =>
        extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: n } });
      await progress(1);
      const answer = server.server.elicitInput({
        message: 'Name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      });
      // The client holds the input_required answer: the call is parked. Work goes on meanwhile.
      await parked.opened;
      await progress(2);
      await server.server.sendLoggingMessage({ level: 'info', data: 'while parked' });
      await progress(3);
      reported.open();
      const { content } = await answer;
      return { content: [{ type: 'text', text: `hello ${String(content?.name)}` }] };
    });
    void server.connect(theirs);
    return ours;
  };
  const era = new EraBridge({ connect, backendEra: 'auto' });
  const proxy = new Proxy({ connectBackend: era.wrapConnect(connect), wrapBackend: era.wrapSession });
  stops.push(async () => {
    await proxy.close({ graceMs: 0 });
    await era.close();
  });

  const [client, server] = InMemoryTransport.createLinkedPair();
  const seen: JSONRPCMessage[] = [];
  const answered = new Map<string, () => void>();
  client.onmessage = (m) => {
    seen.push(m);
    if ('id' in m && typeof m.id === 'string' && !('method' in m)) answered.get(m.id)?.();
  };
  proxy.accept(server);
  await client.start();
  stops.push(() => client.close());
  const request = (id: string, params: Record<string, unknown>): Promise<void> =>
    new Promise<void>((resolve) => {
      answered.set(id, resolve);
      void client.send({ jsonrpc: '2.0', id, method: 'tools/call', params });
    });

  await request('first', { name: 'slow-ask', arguments: {}, _meta: { ...ENVELOPE, progressToken: 'p1' } });
  const first = seen.find((m) => 'id' in m && m.id === 'first') as unknown as {
    result: { resultType: string; inputRequests: Record<string, unknown>; requestState: string };
  };
  expect(first.result.resultType).toBe('input_required');
  parked.open();
  await reported.opened;
  // Whatever the server sent has passed through the in-process pipeline before the retry goes out.
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  const key = Object.keys(first.result.inputRequests)[0] as string;
  await request('retry', {
    name: 'slow-ask',
    arguments: {},
    inputResponses: { [key]: { action: 'accept', content: { name: 'alice' } } },
    requestState: first.result.requestState,
    _meta: { ...ENVELOPE, progressToken: 'p2' },
  });

  const shape = seen.map((m) => {
    if ('id' in m && !('method' in m)) return `answer ${String(m.id)}`;
    const params = m.params as { progressToken?: string; progress?: number; data?: unknown };
    return m.method === 'notifications/progress'
      ? `progress ${String(params.progress)} ${String(params.progressToken)}`
      : `${String(m.method)} ${String(JSON.stringify(params.data))}`;
  });
  expect(shape).toEqual([
    'progress 1 p1',
    'answer first',
    'progress 2 p2',
    'notifications/message "while parked"',
    'progress 3 p2',
    'answer retry',
  ]);
  const last = seen.at(-1) as { result?: { content?: { text: string }[] } };
  expect(last.result?.content?.[0]?.text).toBe('hello alice');
});
