import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { pino, type Logger } from 'pino';
import { parseBackendTarget } from '../../src/cli/backend-target.js';
import { runServe, type RunningServe } from '../../src/cli/serve/run-serve.js';
import { ServeConfigSchema } from '../../src/config/serve-config.js';
import { createDemoServer } from '../../src/demo/demo-server.js';
import { listen } from '../../src/endpoint/registry.js';
import type { Listener } from '../../src/listener.js';
import { TransportDecorator } from '../../src/middleware/transport-decorator.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import type { MessageExtraInfo, Transport } from '../../src/transport.js';

/** Records every message a backend connection receives. */
class Counting extends TransportDecorator {
  constructor(
    inner: Transport,
    private readonly seen: string[],
  ) {
    super(inner);
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    const m = message as { method?: string; params?: { name?: string } };
    this.seen.push(
      m.method === 'tools/call' ? `tools/call:${m.params?.name ?? ''}` : (m.method ?? 'response'),
    );
    this.deliver(message, extra);
  }
}

/** An observable backend: the demo server on TCP, recording each connection and each message it receives. */
export interface CountingBackend {
  uri: string;
  connections: number;
  received: string[];
  close(): Promise<void>;
}

export async function startCountingBackend(): Promise<CountingBackend> {
  const state = { connections: 0, received: [] as string[] };
  const listener: Listener = await listen('tcp://127.0.0.1:0', {
    onConnection: (transport) => {
      state.connections++;
      void createDemoServer().connect(new Counting(transport, state.received));
    },
  });
  return {
    uri: listener.url,
    get connections() {
      return state.connections;
    },
    received: state.received,
    close: () => listener.close({ graceMs: 0 }),
  };
}

/** Log lines written by a serve under test. */
export interface CapturedLog {
  logger: Logger;
  lines: () => Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Starts `switchboard serve` in-process on a free loopback port, in front of `backendUri`. */
export async function startServe(
  backend: string | { command: string[] },
  config: Record<string, unknown>,
  log: Logger = pino({ level: 'silent' }),
): Promise<RunningServe & { url: string }> {
  const target =
    typeof backend === 'string'
      ? parseBackendTarget({ positional: [backend] })
      : parseBackendTarget({ command: backend.command });
  const parsed = ServeConfigSchema.parse({
    listen: ['http://127.0.0.1:0/mcp'],
    ...config,
    backend: target,
    resilience: { retry: { enabled: false }, circuitBreaker: { enabled: false }, health: { enabled: false } },
    observability: {
      metrics: false,
      tracing: false,
      ...(config.observability as Record<string, unknown> | undefined),
    },
  });
  const running = await runServe(parsed, log);
  return Object.assign(running, { url: running.urls[0] ?? '' });
}

/** One raw HTTP exchange. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

export const initializeRequest = (id: number | string = 1): Record<string, unknown> => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'attack', version: '1' } },
});

/** Initializes a 2025-era session; returns its id (and the headers to use after it). */
export async function openSession(
  url: string,
  headers: Record<string, string> = {},
): Promise<Record<string, string>> {
  const init = await post(url, initializeRequest(), headers);
  if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status} ${init.text}`);
  const session = init.headers.get('mcp-session-id') ?? '';
  const next = { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, next);
  return next;
}

/** A local JWKS endpoint (node:http on 127.0.0.1) counting its fetches; keys can be rotated. */
export interface JwksServer {
  uri: string;
  fetches: number;
  setKeys(keys: JWK[]): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let current = keys;
  let fetches = 0;
  const server = http.createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: current }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    uri: `http://127.0.0.1:${port}/jwks.json`,
    get fetches() {
      return fetches;
    },
    setKeys: (k) => (current = k),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A signing key with its public JWK (kid set). */
export interface TestKey {
  kid: string;
  alg: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

/** Signs a token; `exp` one hour ahead unless the payload says otherwise (`undefined` removes a claim). */
export async function sign(
  key: TestKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = Object.fromEntries(
    Object.entries({ iat: now, exp: now + 3600, ...payload }).filter(([, v]) => v !== undefined),
  ) as JWTPayload;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

/** A raw GET with any headers (`fetch` may not set `Host`), on a fresh connection. */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: new Headers(
            Object.entries(res.headers).flatMap(([k, v]) =>
              v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]],
            ),
          ),
          text,
          json: () => JSON.parse(text) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** base64url of a JSON value (for hand-made tokens). */
export const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
