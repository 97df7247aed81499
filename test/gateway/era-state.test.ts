/**
 * The MRTR state a gateway server's era bridge issues is bound to the caller, also when several callers
 * share one gateway session (as every stateless HTTP client does): the relay hands each request's
 * caller to the server's connection. A state issued by one server is refused by another. In process:
 * two SDK v1 servers (2025 only) behind a gateway, raw 2026-07-28 requests on one connection.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/gateway/index.js';
import type { AuthInfo } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
  'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '1' },
};

/** A 2025 server whose `ask` tool elicits a name. */
function legacyServer(name: string): McpServer {
  const server = new McpServer({ name, version: '1.0.0' });
  server.registerTool('ask', { description: 'Asks the user' }, async () => {
    const answer = await server.server.elicitInput({
      message: 'Name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    return { content: [{ type: 'text', text: `${name}: hello ${String(answer.content?.name)}` }] };
  });
  return server;
}

interface Answer {
  result?: { resultType?: string; requestState?: string; inputRequests?: Record<string, unknown> };
  error?: { code: number; message: string };
}

let gateway: Gateway;
let client: InMemoryTransport;
const answers = new Map<string, (m: Answer) => void>();
let next = 0;

/** A request on the one shared connection, as `principal`. */
function request(principal: string, method: string, params: Record<string, unknown>): Promise<Answer> {
  const authInfo: AuthInfo = { token: `t-${principal}`, clientId: principal, scopes: [] };
  const id = `${principal}-${++next}`;
  return new Promise<Answer>((resolve) => {
    answers.set(id, resolve);
    void client.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } }, { authInfo });
  });
}

const retry = (tool: string, state: string, key: string, name: string): Record<string, unknown> => ({
  name: tool,
  arguments: {},
  inputResponses: { [key]: { action: 'accept', content: { name } } },
  requestState: state,
});

async function parked(principal: string, tool: string): Promise<{ state: string; key: string }> {
  const first = await request(principal, 'tools/call', { name: tool, arguments: {} });
  expect(first.result?.resultType).toBe('input_required');
  return {
    state: first.result?.requestState ?? '',
    key: Object.keys(first.result?.inputRequests ?? {})[0] ?? '',
  };
}

beforeAll(async () => {
  const inMemory = (name: string) => () => {
    const [ours, theirs] = InMemoryTransport.createLinkedPair();
    void legacyServer(name).connect(theirs);
    return ours;
  };
  gateway = new Gateway({
    servers: [
      { name: 'a', connect: inMemory('a') },
      { name: 'b', connect: inMemory('b') },
    ],
  });
  await gateway.start();
  const [ours, theirs] = InMemoryTransport.createLinkedPair();
  client = ours;
  client.onmessage = (m) => {
    if ('id' in m && typeof m.id === 'string' && !('method' in m)) answers.get(m.id)?.(m);
  };
  gateway.accept(theirs);
  await client.start();
}, 30_000);

afterAll(async () => {
  await client.close();
  await gateway.close({ graceMs: 0 });
});

describe('gateway era bridge: requestState', () => {
  it('is refused for another caller on the same session, and works for its own', async () => {
    const { state, key } = await parked('alice', 'a__ask');
    const foreign = await request('bob', 'tools/call', retry('a__ask', state, key, 'bob'));
    expect(foreign.error?.code).toBe(-32602);
    expect(foreign.error?.message).toMatch(/another caller/);
    const done = await request('alice', 'tools/call', retry('a__ask', state, key, 'alice'));
    expect(done.result).toMatchObject({ resultType: 'complete', content: [{ text: 'a: hello alice' }] });
  });

  it('is refused by another server', async () => {
    const { state, key } = await parked('alice', 'a__ask');
    const foreign = await request('alice', 'tools/call', retry('b__ask', state, key, 'alice'));
    expect(foreign.error?.code).toBe(-32602);
    const done = await request('alice', 'tools/call', retry('a__ask', state, key, 'alice'));
    expect(done.result).toMatchObject({ content: [{ text: 'a: hello alice' }] });
  });
});
