/**
 * The HTTP transports in the transport contract suite: our Streamable HTTP client against our HTTP
 * listener in the 2025 session era (SSE and JSON response modes) and the 2026-07-28 stateless era, and
 * the legacy HTTP+SSE client against the legacy endpoints. Skips are explicit, each with its reason.
 */
import { SwitchboardError } from '../../src/errors.js';
import type { Listener } from '../../src/listener.js';
import { isRequestId, type JSONRPCMessage } from '../../src/protocol/messages.js';
import { MODERN_PROTOCOL_VERSION } from '../../src/protocol/versions.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../src/transport.js';
import { LazyTransport } from '../../src/transports/lazy.js';
import { LegacySseClientTransport } from '../../src/transports/http/client/legacy-sse-client.js';
import { StreamableHttpClientTransport } from '../../src/transports/http/client/streamable-http-client.js';
import { listenHttp } from '../../src/transports/http/server/http-listener.js';
import type { ResponseMode } from '../../src/transports/http/server/options.js';
import { runTransportContract } from '../contract/transport-contract.js';

const SESSION_VERSION = '2025-06-18';

const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL_VERSION,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'contract', version: '1' },
};

/**
 * A server transport whose session was opened by `initialize` before the contract takes it over: the
 * harness started it and answered `initialize`; the contract's `start()` adopts it (once; a second call
 * throws as any transport's would). Everything else is forwarded unchanged.
 */
class Initialized implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  readonly #inner: Transport;
  #adopted = false;

  constructor(inner: Transport) {
    this.#inner = inner;
    inner.onmessage = (m, extra) => this.onmessage?.(m, extra);
    inner.onerror = (e) => this.onerror?.(e);
    inner.onclose = () => this.onclose?.();
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  start(): Promise<void> {
    if (this.#adopted) {
      return Promise.reject(new SwitchboardError('ALREADY_STARTED', 'Transport already started'));
    }
    this.#adopted = true;
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.#inner.send(message, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * The 2026-07-28 era wants the protocol version and client facts in every request's `_meta`; an SDK v2
 * client adds them above the transport. The harness does the same on the client side and takes them
 * off again on the server side, so the contract still compares exactly what it sent.
 */
class WithModernMeta implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  readonly #inner: Transport;
  readonly #side: 'client' | 'server';

  constructor(inner: Transport, side: 'client' | 'server') {
    this.#inner = inner;
    this.#side = side;
    inner.onmessage = (m, extra) => this.onmessage?.(side === 'server' ? withoutMeta(m) : m, extra);
    inner.onerror = (e) => this.onerror?.(e);
    inner.onclose = () => this.onclose?.();
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.#inner.send(this.#side === 'client' ? withMeta(message) : message, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

function withMeta(m: JSONRPCMessage): JSONRPCMessage {
  if (typeof m.method !== 'string') return m;
  const params = (m.params ?? {}) as Record<string, unknown>;
  const meta = (params._meta ?? {}) as Record<string, unknown>;
  return { ...m, params: { ...params, _meta: { ...meta, ...MODERN_META } } };
}

function withoutMeta(m: JSONRPCMessage): JSONRPCMessage {
  const params = m.params as Record<string, unknown> | undefined;
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (params === undefined || meta === undefined) return m;
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => !(k in MODERN_META)));
  const { _meta: _dropped, ...others } = params;
  const cleaned = Object.keys(rest).length > 0 ? { ...others, _meta: rest } : others;
  return {
    ...m,
    ...(Object.keys(cleaned).length > 0 ? { params: cleaned } : { params: undefined }),
  };
}

/** Opens a 2025-era session with a raw `initialize` and returns the started server side and the id. */
async function openSession(
  responseMode: ResponseMode,
): Promise<{ listener: Listener; url: URL; server: Transport; sessionId: string }> {
  let accepted!: (t: Transport) => void;
  const serverReady = new Promise<Transport>((resolve) => (accepted = resolve));
  const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), {
    http: { responseMode, legacySse: false },
    onConnection: (t) => {
      t.onmessage = (m) => {
        const id: unknown = m.id;
        if (m.method === 'initialize' && isRequestId(id)) {
          void t.send({
            jsonrpc: '2.0',
            id,
            result: {
              protocolVersion: SESSION_VERSION,
              capabilities: {},
              serverInfo: { name: 'contract', version: '1' },
            },
          });
          accepted(t);
        }
      };
      void t.start();
    },
  });
  const url = new URL(listener.url);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: SESSION_VERSION, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    }),
  });
  await res.text();
  const sessionId = res.headers.get('mcp-session-id');
  if (sessionId === null) throw new Error(`initialize answered ${res.status} without a session`);
  const server = await serverReady;
  return { listener, url, server, sessionId };
}

const HTTP_BACKPRESSURE =
  'each message is its own HTTP request (and each server message its own SSE event); there is no shared ' +
  'byte stream whose reader can be stalled. Slow SSE readers are bounded by maxSseBufferedBytes ' +
  '(test/transports/http-server-*.test.ts)';
const HTTP_UNORDERED =
  'each client message is its own POST and concurrent POSTs travel on several connections, so HTTP ' +
  'gives them no order';
const JSON_MODE_WAITS =
  "in JSON response mode a request's HTTP response is its JSON-RPC answer, so send() of a request " +
  'settles only once the server answered; this test awaits send() before answering';
const STATELESS_IDS =
  'one stateless server transport serves every client, so it rewrites request ids to unique ones on the ' +
  'way in and restores them on the way out; the server sees another id than the client sent (answers ' +
  'and id restoration are covered in http-server-stateless.test.ts)';
/** 2,000 concurrent HTTP exchanges on a busy machine take longer than a socket's 2,000 lines. */
const HTTP_TIMEOUT_MS = 90_000;

runTransportContract(
  'Streamable HTTP, 2025 session era (SSE responses)',
  async () => {
    const { listener, url, server, sessionId } = await openSession('sse');
    const client = new StreamableHttpClientTransport(url, {
      transport: 'streamable-http',
      sessionId,
      protocolVersion: SESSION_VERSION,
    });
    return { client, server: new Initialized(server), cleanup: () => listener.close({ graceMs: 0 }) };
  },
  {
    skip: [{ test: 'backpressure', reason: HTTP_BACKPRESSURE }],
    unorderedConcurrentClientSends: HTTP_UNORDERED,
    timeoutMs: HTTP_TIMEOUT_MS,
  },
);

runTransportContract(
  'Streamable HTTP, 2025 session era (JSON responses)',
  async () => {
    const { listener, url, server, sessionId } = await openSession('json');
    const client = new StreamableHttpClientTransport(url, {
      transport: 'streamable-http',
      sessionId,
      protocolVersion: SESSION_VERSION,
    });
    return { client, server: new Initialized(server), cleanup: () => listener.close({ graceMs: 0 }) };
  },
  {
    skip: [
      { test: 'round trip', reason: JSON_MODE_WAITS },
      { test: 'large message', reason: JSON_MODE_WAITS },
      { test: 'concurrent sends', reason: `${JSON_MODE_WAITS} (here: 2,000 pings it never answers)` },
      { test: 'backpressure', reason: HTTP_BACKPRESSURE },
    ],
    timeoutMs: HTTP_TIMEOUT_MS,
  },
);

runTransportContract(
  'Streamable HTTP, 2026-07-28 stateless era',
  async () => {
    // The shared stateless transport is created by the first modern request: the harness sends one
    // (a ping it answers) so that the pair exists before the contract starts it.
    let accepted!: (t: Transport) => void;
    const serverReady = new Promise<Transport>((resolve) => (accepted = resolve));
    const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), {
      http: { legacySse: false },
      onConnection: (t) => {
        t.onmessage = (m) => {
          const id: unknown = m.id;
          if (m.method === 'ping' && isRequestId(id)) {
            void t.send({ jsonrpc: '2.0', id, result: {} });
            accepted(t);
          }
        };
        void t.start();
      },
    });
    const url = new URL(listener.url);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN_PROTOCOL_VERSION,
        'mcp-method': 'ping',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'harness', method: 'ping', params: { _meta: MODERN_META } }),
    });
    await res.text();
    const server = await serverReady;
    const client = new StreamableHttpClientTransport(url, {
      transport: 'streamable-http',
      protocolVersion: MODERN_PROTOCOL_VERSION,
    });
    return {
      client: new WithModernMeta(client, 'client'),
      server: new WithModernMeta(new Initialized(server), 'server'),
      cleanup: () => listener.close({ graceMs: 0 }),
    };
  },
  {
    skip: [
      { test: 'backpressure', reason: HTTP_BACKPRESSURE },
      { test: 'round trip', reason: STATELESS_IDS },
      { test: 'large message', reason: STATELESS_IDS },
      {
        test: 'concurrent sends',
        reason:
          'the 2026-07-28 era has no session stream: a server can only answer requests, never send ' +
          'notifications of its own to a client',
      },
      {
        test: 'peer close',
        reason:
          'the 2026-07-28 era is stateless: one server transport serves every client, and a client ' +
          'closing ends only its own requests, never the server side',
      },
    ],
    timeoutMs: HTTP_TIMEOUT_MS,
  },
);

runTransportContract(
  'legacy HTTP+SSE (2024-11-05)',
  async () => {
    let accepted!: (t: Transport) => void;
    const serverReady = new Promise<Transport>((resolve) => (accepted = resolve));
    const listener = await listenHttp(new URL('http://127.0.0.1:0/mcp'), {
      onConnection: (t) => accepted(t),
    });
    const client = new LegacySseClientTransport(new URL('/sse', listener.url));
    return {
      client,
      server: new LazyTransport(() => serverReady),
      cleanup: () => listener.close({ graceMs: 0 }),
    };
  },
  {
    skip: [{ test: 'backpressure', reason: HTTP_BACKPRESSURE }],
    unorderedConcurrentClientSends: HTTP_UNORDERED,
    timeoutMs: HTTP_TIMEOUT_MS,
  },
);
