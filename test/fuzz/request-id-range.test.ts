/**
 * Request ids that JSON allows but MCP does not: a fractional number, or an integer beyond 2^53 − 1
 * (which `JSON.parse` rounds). The SDKs drop such a message without answering, so switchboard must
 * refuse it at the edge with an Invalid Request error instead of forwarding it and leaving the client
 * waiting. Found by the random fuzz run (`scripts/fuzz-random.ts --only http --case 4127395387`: an
 * `initialize` with id 9007199254740993 POSTed to the Streamable HTTP frontend got no answer).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidMessageReason, isRequestId } from '../../src/protocol/messages.js';
import { startServe } from '../e2e/processes.js';
import { httpExchange } from './serve-targets.js';

type Serve = Awaited<ReturnType<typeof startServe>>;

/** Ids as they appear in the JSON text; none of them survives as a valid MCP id. */
const BAD_IDS = ['9007199254740993', '-9007199254740993', '1.5', '1e21'];
const INVALID_REQUEST = -32600;
const TEST_MS = 120_000;

let serve: Serve;
let http: URL;
let tcp: { host: string; port: number };

beforeAll(async () => {
  serve = await startServe(['--listen', 'http://127.0.0.1:0/mcp', '--listen', 'tcp://127.0.0.1:0']);
  const [httpUrl, tcpUrl] = serve.urls as [string, string];
  http = new URL(httpUrl);
  tcp = { host: '127.0.0.1', port: Number(new URL(tcpUrl).port) };
}, 120_000);

afterAll(async () => {
  await serve?.stop();
});

/** The first JSON line the TCP frontend sends back after `line`. */
function firstLineReply(line: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(tcp);
    let buffered = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer on TCP within 30000 ms'));
    }, 30_000);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (t: string) => {
      buffered += t;
      const nl = buffered.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(JSON.parse(buffered.slice(0, nl)));
    });
    socket.on('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

describe('request ids outside MCP’s range', () => {
  it('are not ids: strings and safe integers are', () => {
    expect(isRequestId('x')).toBe(true);
    expect(isRequestId(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isRequestId(-7)).toBe(true);
    expect(isRequestId(1.5)).toBe(false);
    expect(isRequestId(2 ** 53)).toBe(false);
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 2 ** 53, method: 'ping' })).toMatch(/"id"/);
  });

  it.each(BAD_IDS.flatMap((id) => [[id, 'session'] as const, [id, 'stateless'] as const]))(
    'Streamable HTTP answers an initialize with id %s (%s era) with Invalid Request',
    async (id, era) => {
      const { status, body } = await httpExchange(http, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(era === 'stateless' ? { 'mcp-protocol-version': '2026-07-28' } : {}),
        },
        body: `{"method":"initialize","jsonrpc":"2.0","id":${id}}`,
      });
      expect(status).toBe(400);
      expect((JSON.parse(body) as { error: { code: number } }).error.code).toBe(INVALID_REQUEST);
    },
    TEST_MS,
  );

  // Replayed from `scripts/fuzz-random.ts --only http --case 2015178447`: the SDKs' envelope schemas are
  // strict, so a request with an extra top-level member was dropped by the backend unanswered.
  it.each(['"error":[1]', '"prototype":[]', '"result":{}'])(
    'Streamable HTTP answers an initialize that also carries %s with Invalid Request',
    async (member) => {
      const { status, body } = await httpExchange(http, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: `{"jsonrpc":"2.0","method":"initialize","id":"x",${member}}`,
      });
      expect(status).toBe(400);
      expect((JSON.parse(body) as { error: { code: number } }).error.code).toBe(INVALID_REQUEST);
    },
    TEST_MS,
  );

  it.each(BAD_IDS)(
    'TCP answers a ping with id %s with Invalid Request',
    async (id) => {
      const reply = (await firstLineReply(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`)) as {
        error?: { code: number };
      };
      expect(reply.error?.code).toBe(INVALID_REQUEST);
    },
    TEST_MS,
  );
});
