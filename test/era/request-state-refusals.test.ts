/**
 * The MRTR state the era bridge issues to 2026-07-28 clients of a 2025 server: a tampered state, one
 * replayed by another principal, one used twice and an expired one are refused with a JSON-RPC error,
 * and a 2025 server's request whose client never retries is answered with an error after the timeout.
 * In process: the proxy with the era bridge, an SDK v1 McpServer behind it, raw 2026-07-28 clients.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { EraBridge, type EraBridgeOptions } from '../../src/era/era-bridge.js';
import { Proxy } from '../../src/proxy/proxy.js';
import type { AuthInfo } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '1' },
};

/** What the 2025 server's `ask` tool saw of its elicitation requests. */
const outcomes: string[] = [];

function legacyServer(): McpServer {
  const server = new McpServer({ name: 'legacy', version: '1.0.0' });
  server.registerTool('ask', { description: 'Asks the user' }, async () => {
    try {
      const answer = await server.server.elicitInput({
        message: 'Name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      });
      outcomes.push(`answered ${JSON.stringify(answer.content)}`);
      return { content: [{ type: 'text', text: `hello ${String(answer.content?.name)}` }] };
    } catch (error) {
      outcomes.push(`failed ${(error as Error).message}`);
      return { content: [{ type: 'text', text: 'no answer' }], isError: true };
    }
  });
  return server;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  outcomes.length = 0;
});

function bridgedProxy(options: Partial<EraBridgeOptions> = {}): Proxy {
  const connect = (): InMemoryTransport => {
    const [ours, theirs] = InMemoryTransport.createLinkedPair();
    void legacyServer().connect(theirs);
    return ours;
  };
  const era = new EraBridge({ connect, backendEra: 'auto', ...options });
  const proxy = new Proxy({ connectBackend: era.wrapConnect(connect), wrapBackend: era.wrapSession });
  stops.push(async () => {
    await proxy.close({ graceMs: 0 });
    await era.close();
  });
  return proxy;
}

/** A raw 2026-07-28 client on its own proxy session, acting as `principal` (its `authInfo`). */
async function rawClient(proxy: Proxy, principal: string) {
  const [client, server] = InMemoryTransport.createLinkedPair();
  const answers = new Map<string | number, (m: Answer) => void>();
  client.onmessage = (m) => {
    if ('id' in m && m.id !== undefined && !('method' in m)) answers.get(m.id)?.(m);
  };
  proxy.accept(server);
  await client.start();
  const authInfo: AuthInfo = { token: `t-${principal}`, clientId: principal, scopes: [] };
  let next = 0;
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<Answer>((resolve) => {
      const id = `${principal}-${++next}`;
      answers.set(id, resolve);
      void client.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } }, { authInfo });
    });
  return { request, close: () => client.close() };
}

/** A response as these tests read it. */
interface Answer {
  result?: {
    resultType?: string;
    inputRequests?: Record<string, unknown>;
    requestState?: string;
    content?: { text: string }[];
  };
  error?: { code: number; message: string };
}

interface Parked {
  requestState: string;
  inputRequests: Record<string, unknown>;
}

async function parked(client: Awaited<ReturnType<typeof rawClient>>): Promise<Parked> {
  const first = await client.request('tools/call', { name: 'ask', arguments: {} });
  expect(first.result?.resultType).toBe('input_required');
  expect(Object.values(first.result?.inputRequests ?? {})).toEqual([
    expect.objectContaining({ method: 'elicitation/create' }),
  ]);
  expect(typeof first.result?.requestState).toBe('string');
  return { requestState: first.result?.requestState ?? '', inputRequests: first.result?.inputRequests ?? {} };
}

const retry = (state: string, key: string, name: string) => ({
  name: 'ask',
  arguments: {},
  inputResponses: { [key]: { action: 'accept', content: { name } } },
  requestState: state,
});

const errorOf = (m: Answer): { code: number; message: string } => m.error ?? { code: 0, message: 'no error' };
const textOf = (m: Answer): string | undefined => m.result?.content?.[0]?.text;

describe('requestState issued by the era bridge', () => {
  it('refuses a tampered state; the genuine one still works', async () => {
    const alice = await rawClient(bridgedProxy(), 'alice');
    const { requestState, inputRequests } = await parked(alice);
    const key = Object.keys(inputRequests)[0] as string;
    const dot = requestState.indexOf('.');
    const flipped = requestState[3] === 'A' ? 'B' : 'A';
    const tampered = `${requestState.slice(0, 3)}${flipped}${requestState.slice(4, dot)}${requestState.slice(dot)}`;
    const refused = errorOf(await alice.request('tools/call', retry(tampered, key, 'mallory')));
    expect(refused.code).toBe(-32602);
    expect(refused.message).toMatch(/integrity/);
    const done = await alice.request('tools/call', retry(requestState, key, 'alice'));
    expect(textOf(done)).toBe('hello alice');
    expect(outcomes).toEqual(['answered {"name":"alice"}']);
  });

  it('refuses a state replayed by another principal, and a state used twice', async () => {
    const proxy = bridgedProxy();
    const alice = await rawClient(proxy, 'alice');
    const bob = await rawClient(proxy, 'bob');
    const { requestState, inputRequests } = await parked(alice);
    const key = Object.keys(inputRequests)[0] as string;
    const foreign = errorOf(await bob.request('tools/call', retry(requestState, key, 'bob')));
    expect(foreign.code).toBe(-32602);
    expect(foreign.message).toMatch(/another caller/);
    const done = await alice.request('tools/call', retry(requestState, key, 'alice'));
    expect(textOf(done)).toBe('hello alice');
    const again = errorOf(await alice.request('tools/call', retry(requestState, key, 'alice')));
    expect(again.code).toBe(-32602);
    expect(again.message).toMatch(/ended|already used/);
    expect(outcomes).toEqual(['answered {"name":"alice"}']);
  });

  it('refuses a state for another request of the same caller', async () => {
    const alice = await rawClient(bridgedProxy(), 'alice');
    const { requestState, inputRequests } = await parked(alice);
    const key = Object.keys(inputRequests)[0] as string;
    const other = errorOf(
      await alice.request('tools/call', { ...retry(requestState, key, 'alice'), name: 'something-else' }),
    );
    expect(other.message).toMatch(/another request/);
  });

  it('refuses an expired state, and the waiting 2025 request gets an error after the input timeout', async () => {
    const alice = await rawClient(bridgedProxy({ stateTtlMs: 1, inputTimeoutMs: 300 }), 'alice');
    const issuedAt = Date.now();
    const { requestState, inputRequests } = await parked(alice);
    const key = Object.keys(inputRequests)[0] as string;
    while (Date.now() <= issuedAt + 5) await new Promise((r) => setTimeout(r, 5));
    const expired = errorOf(await alice.request('tools/call', retry(requestState, key, 'alice')));
    expect(expired.code).toBe(-32602);
    expect(expired.message).toMatch(/expired/);
    // Nobody retries in time: the 2025 server's elicitation request is answered with an error.
    const deadline = Date.now() + 20_000;
    while (outcomes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatch(/^failed .*did not answer/);
  });

  it('keeps two principals apart on the same 2025 backend: each call gets its own answer', async () => {
    const proxy = bridgedProxy();
    const [alice, bob] = await Promise.all([rawClient(proxy, 'alice'), rawClient(proxy, 'bob')]);
    const [a, b] = await Promise.all([parked(alice), parked(bob)]);
    const keyA = Object.keys(a.inputRequests)[0] as string;
    const keyB = Object.keys(b.inputRequests)[0] as string;
    const [doneB, doneA] = await Promise.all([
      bob.request('tools/call', retry(b.requestState, keyB, 'bob')),
      alice.request('tools/call', retry(a.requestState, keyA, 'alice')),
    ]);
    expect(textOf(doneA)).toBe('hello alice');
    expect(textOf(doneB)).toBe('hello bob');
  });
});
