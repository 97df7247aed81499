import { SwitchboardError, toSwitchboardError } from '../errors.js';
import {
  isErrorResponse,
  isResponse,
  type JSONRPCMessage,
  type MessageParams,
} from '../protocol/messages.js';
import type { LegConnection } from './gateway-server.js';

/** What a {@link Leg} reports to the session that owns it. */
export interface LegOwner {
  /** A message from the server (responses to the leg's own handshake are consumed). */
  legMessage(leg: Leg, message: JSONRPCMessage): void;
  /** The leg ended: its connection closed, or opening it failed (`error`, with the unsent messages). */
  legClosed(leg: Leg, unsent: JSONRPCMessage[], error: SwitchboardError | undefined): void;
}

/** How to open a leg: the client's handshake to replay, the log level it asked for. */
export interface LegHandshake {
  /** The client's `initialize` params (2025 era); absent for a 2026-07-28 client (no handshake). */
  initialize?: MessageParams | undefined;
  /** A `logging/setLevel` the client sent before this leg existed. */
  logLevel?: string | undefined;
  /** Deadline of the handshake, in ms. */
  timeoutMs: number;
}

/** Most messages held while a leg opens. */
const MAX_QUEUED = 1000;
const ID_PREFIX = 'switchboard-gateway-';

let counter = 0;

/**
 * One client session's connection to one server: opened on first use, initialized with the client's
 * own `initialize` params (so the server sees the real client's capabilities), then carrying the
 * session's traffic for that server unchanged. Messages sent while it opens wait (bounded).
 */
export class Leg {
  readonly server: string;
  readonly generation: number;
  readonly #conn: LegConnection;
  readonly #owner: LegOwner;
  #state: 'idle' | 'opening' | 'ready' | 'closed' = 'idle';
  #queue: JSONRPCMessage[] = [];
  #handshakeId: string | undefined;
  #handshakeDone: ((error?: SwitchboardError) => void) | undefined;
  #reported = false;

  /**
   * @param server - the server's name
   * @param conn - the connection (unstarted)
   * @param owner - the client session
   */
  constructor(server: string, conn: LegConnection, owner: LegOwner) {
    this.server = server;
    this.generation = conn.generation;
    this.#conn = conn;
    this.#owner = owner;
    const t = conn.transport;
    t.onmessage = (message) => this.#receive(message);
    t.onerror = () => undefined;
    t.onclose = () => this.#ended(undefined);
  }

  /** `true` while the leg can carry (or queue) traffic. */
  get usable(): boolean {
    return this.#state !== 'closed' && !this.#conn.failed();
  }

  /** `true` once the handshake is done. */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  /**
   * Starts the connection and replays the client's handshake; traffic queued meanwhile follows.
   * Failures end the leg (reported through `legClosed`), never throw.
   */
  open(handshake: LegHandshake): void {
    if (this.#state !== 'idle') return;
    this.#state = 'opening';
    this.#handshake(handshake).then(
      () => this.#flush(),
      (error: unknown) => this.#ended(toSwitchboardError(error, 'CONNECTION_FAILED')),
    );
  }

  /** Sends (or, while opening, queues) a message to the server. */
  send(message: JSONRPCMessage): Promise<void> {
    switch (this.#state) {
      case 'ready':
        return this.#conn.transport.send(message);
      case 'idle':
      case 'opening':
        if (this.#queue.length >= MAX_QUEUED) {
          return Promise.reject(
            new SwitchboardError(
              'BACKEND_UNAVAILABLE',
              `${this.server}: ${MAX_QUEUED} messages wait for the connection`,
            ),
          );
        }
        this.#queue.push(message);
        return Promise.resolve();
      case 'closed':
        return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', `${this.server}: connection closed`));
    }
  }

  /** Closes the connection (idempotent). */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#queue = [];
    this.#handshakeDone?.(new SwitchboardError('TRANSPORT_CLOSED', 'closed'));
    await this.#conn.transport.close().catch(() => undefined);
  }

  async #handshake(h: LegHandshake): Promise<void> {
    await this.#conn.transport.start();
    if (h.initialize !== undefined) {
      await this.#internal('initialize', h.initialize, h.timeoutMs);
      await this.#conn.transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    }
    if (h.logLevel !== undefined) {
      // Best effort: a server without logging answers with an error, which changes nothing.
      await this.#internal('logging/setLevel', { level: h.logLevel }, h.timeoutMs).catch(() => undefined);
    }
  }

  /** One request of our own on this connection, before any of the client's (so ids cannot meet). */
  #internal(method: string, params: MessageParams, timeoutMs: number): Promise<void> {
    const id = `${ID_PREFIX}${++counter}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        done(
          new SwitchboardError(
            'UPSTREAM_TIMEOUT',
            `${this.server}: ${method} got no answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const done = (error?: SwitchboardError): void => {
        clearTimeout(timer);
        this.#handshakeId = undefined;
        this.#handshakeDone = undefined;
        if (error) reject(error);
        else resolve();
      };
      this.#handshakeId = id;
      this.#handshakeDone = done;
      this.#conn.transport
        .send({ jsonrpc: '2.0', id, method, params })
        .catch((error: unknown) => done(toSwitchboardError(error, 'CONNECTION_FAILED')));
    });
  }

  #flush(): void {
    if (this.#state !== 'opening') return;
    this.#state = 'ready';
    const queued = this.#queue;
    this.#queue = [];
    for (const message of queued) {
      this.#conn.transport.send(message).catch((error: unknown) => {
        this.#owner.legClosed(this, [message], toSwitchboardError(error));
      });
    }
  }

  #receive(message: JSONRPCMessage): void {
    if (this.#handshakeId !== undefined && isResponse(message) && message.id === this.#handshakeId) {
      const error = isErrorResponse(message)
        ? new SwitchboardError(
            'BACKEND_UNAVAILABLE',
            `${this.server} refused the session: ${message.error.message}`,
          )
        : undefined;
      this.#handshakeDone?.(error);
      return;
    }
    this.#owner.legMessage(this, message);
  }

  #ended(error: SwitchboardError | undefined): void {
    if (this.#reported) return;
    this.#reported = true;
    const unsent = this.#queue;
    this.#queue = [];
    const wasOpen = this.#state !== 'closed';
    this.#state = 'closed';
    this.#handshakeDone?.(
      error ?? new SwitchboardError('TRANSPORT_CLOSED', `${this.server}: connection closed`),
    );
    if (wasOpen) void this.#conn.transport.close().catch(() => undefined);
    this.#owner.legClosed(this, unsent, error);
  }
}
