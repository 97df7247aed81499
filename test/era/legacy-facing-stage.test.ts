/**
 * The legacy-facing stage message by message, in process: a 2025 client's messages go to a scripted
 * 2026-07-28-only peer with the per-request envelope, and the peer's 2026 results come back as 2025
 * results (2026-only members removed, everything else kept); an `input_required` round becomes a 2025
 * server→client request and the retry's result answers the original request. The client's own message
 * objects are never changed (the proxy may still hold them).
 */
import { describe, expect, it } from 'vitest';
import { LegacyFacingStage } from '../../src/era/legacy-facing-stage.js';
import type { JSONRPCMessage, JSONRPCRequest } from '../../src/protocol/messages.js';
import type { MessageExtraInfo } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { eventually } from '../proxy/harness.js';

const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';
const SERVER_META = { [SERVER_INFO_KEY]: { name: 'scripted-2026', version: '1.0.0' } };
const CLIENT_INFO = { name: 'stage-test', version: '2.0.0' };

type Answer = (request: JSONRPCRequest) => Record<string, unknown>;

/** A stage in front of a scripted 2026-07-28-only peer: what the peer received, what the client got. */
async function staged(answer: Answer): Promise<{
  stage: LegacyFacingStage;
  received: JSONRPCRequest[];
  got: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined }[];
}> {
  const [stageSide, peerSide] = InMemoryTransport.createLinkedPair();
  const received: JSONRPCRequest[] = [];
  peerSide.onmessage = (message) => {
    if (!('id' in message) || !('method' in message)) return;
    const request = message as JSONRPCRequest;
    // A snapshot: the in-memory pair passes objects by reference.
    received.push(structuredClone(request));
    queueMicrotask(() => void peerSide.send({ jsonrpc: '2.0', id: request.id, result: answer(request) }));
  };
  await peerSide.start();
  const stage = new LegacyFacingStage(stageSide, { backendEra: () => Promise.resolve('modern') });
  const got: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined }[] = [];
  stage.onmessage = (message, extra) => void got.push({ message, extra });
  await stage.start();
  return { stage, received, got };
}

const LOGGING_SERVER = { tools: {}, logging: {} };

const discover = (capabilities: Record<string, unknown>): Record<string, unknown> => ({
  supportedVersions: ['2026-07-28'],
  capabilities,
  resultType: 'complete',
  ttlMs: 0,
  cacheScope: 'private',
  _meta: SERVER_META,
});

async function initialized(
  answer: Answer,
  capabilities: Record<string, unknown> = LOGGING_SERVER,
): Promise<Awaited<ReturnType<typeof staged>>> {
  const s = await staged((r) => (r.method === 'server/discover' ? discover(capabilities) : answer(r)));
  await s.stage.send({
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: { elicitation: {} }, clientInfo: CLIENT_INFO },
  });
  await eventually(() => s.got.length === 1);
  expect(s.got[0]?.message).toEqual({
    jsonrpc: '2.0',
    id: 'init',
    result: {
      protocolVersion: '2025-06-18',
      capabilities,
      serverInfo: SERVER_META[SERVER_INFO_KEY],
    },
  });
  s.got.length = 0;
  return s;
}

describe('legacy-facing stage', () => {
  it('sends a request with the envelope and leaves the client’s message as it was', async () => {
    const { stage, received } = await initialized(() => ({ content: [], resultType: 'complete' }));
    const call: JSONRPCRequest = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'hi' }, _meta: { progressToken: 'p7' } },
    };
    const before = structuredClone(call);
    await stage.send(call);
    await eventually(() => received.some((r) => r.method === 'tools/call'));
    const sent = received.find((r) => r.method === 'tools/call');
    expect(sent?.id).not.toBe(7);
    expect(sent?.params).toEqual({
      name: 'echo',
      arguments: { text: 'hi' },
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
        'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
        'io.modelcontextprotocol/logLevel': 'debug',
        progressToken: 'p7',
      },
    });
    expect(call).toEqual(before);
  });

  it('sends no log level to a server that declared no logging', async () => {
    const { stage, received } = await initialized(() => ({ content: [], resultType: 'complete' }), {
      tools: {},
    });
    await stage.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });
    await eventually(() => received.some((r) => r.method === 'tools/call'));
    const meta = received.find((r) => r.method === 'tools/call')?.params?._meta;
    expect(meta).toMatchObject({ 'io.modelcontextprotocol/protocolVersion': '2026-07-28' });
    expect(meta).not.toHaveProperty(['io.modelcontextprotocol/logLevel']);
  });

  it('answers with a 2025 result: 2026-only members removed, the rest of `_meta` kept', async () => {
    const { stage, got } = await initialized((r) =>
      r.params?.name === 'traced'
        ? {
            content: [{ type: 'text', text: 'a' }],
            resultType: 'complete',
            _meta: { ...SERVER_META, 'example.com/trace': 't1' },
          }
        : { content: [{ type: 'text', text: 'b' }], resultType: 'complete', _meta: SERVER_META },
    );
    await stage.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'traced' } });
    await stage.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'plain' } });
    await eventually(() => got.length === 2);
    const byId = new Map(got.map(({ message }) => [(message as { id: unknown }).id, message]));
    expect(byId.get(1)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { content: [{ type: 'text', text: 'a' }], _meta: { 'example.com/trace': 't1' } },
    });
    expect(byId.get(2)).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { content: [{ type: 'text', text: 'b' }] },
    });
  });

  it('turns an input_required round into an elicitation and answers the original request with the retry', async () => {
    const { stage, received, got } = await initialized((r) =>
      r.params?.inputResponses === undefined
        ? {
            resultType: 'input_required',
            requestState: 'state-1',
            inputRequests: {
              ask: { method: 'elicitation/create', params: { message: 'name?', requestedSchema: {} } },
            },
          }
        : {
            content: [{ type: 'text', text: JSON.stringify(r.params.inputResponses) }],
            resultType: 'complete',
          },
    );
    await stage.send({ jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'confirm' } });
    await eventually(() => got.length === 1);
    const asked = got[0];
    expect(asked?.message).toMatchObject({
      method: 'elicitation/create',
      params: { message: 'name?', requestedSchema: {} },
    });
    expect(asked?.extra).toEqual({ relatedRequestId: 'call-1' });
    const answer = { action: 'accept', content: { name: 'ada' } };
    await stage.send({ jsonrpc: '2.0', id: (asked?.message as JSONRPCRequest).id, result: answer });
    await eventually(() => got.length === 2);
    const retry = received.filter((r) => r.method === 'tools/call')[1];
    expect(retry?.params).toMatchObject({
      name: 'confirm',
      inputResponses: { ask: answer },
      requestState: 'state-1',
    });
    expect(got[1]?.message).toEqual({
      jsonrpc: '2.0',
      id: 'call-1',
      result: { content: [{ type: 'text', text: JSON.stringify({ ask: answer }) }] },
    });
  });
});
