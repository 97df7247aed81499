import { SwitchboardError } from '../../../errors.js';
import {
  isNotification,
  isRequest,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from '../../../protocol/messages.js';
import { isResultResponse, type ExchangeResult } from './rpc-exchange.js';

/** The HTTP operations a re-initialization needs; the transport supplies them with its headers. */
export interface SessionIo {
  /** POSTs a transport-internal request; `withSession: false` omits `Mcp-Session-Id`. */
  exchange: (request: JSONRPCRequest, withSession: boolean) => Promise<ExchangeResult>;
  /** Switches the transport to the new session (id from the `initialize` response). */
  adopt: (sessionId: string | undefined) => void;
  /** POSTs a notification within the (new) session; rejects unless it is accepted. */
  notify: (notification: JSONRPCNotification) => Promise<void>;
}

/**
 * Remembers the `initialize` request and `notifications/initialized` the SDK sent, so that a session
 * the server forgot (restart, expiry) can be re-established without the SDK noticing — the
 * transparent recovery the 2025 spec's "on 404 the client MUST start a new session" calls for and
 * the official SDK lacks (typescript-sdk issue #1708).
 */
export class SessionRecovery {
  #initialize: JSONRPCRequest | undefined;
  #initialized: JSONRPCNotification | undefined;
  #seq = 0;
  #running: Promise<void> | undefined;
  #generation = 0;

  /** Bumped by every successful re-initialization. A request remembers the generation it was sent in. */
  get generation(): number {
    return this.#generation;
  }

  /** `true` once an `initialize` request was seen, so a session can be rebuilt. */
  get canRecover(): boolean {
    return this.#initialize !== undefined;
  }

  /** Looks at every outgoing message and keeps the handshake messages. */
  observe(message: JSONRPCMessage): void {
    if (message.method === 'initialize' && isRequest(message)) this.#initialize = message;
    else if (message.method === 'notifications/initialized' && isNotification(message))
      this.#initialized = message;
  }

  /** A fresh id for a transport-internal request (never collides with the SDK's numeric ids). */
  internalId(purpose: string): string {
    return `switchboard-${purpose}-${++this.#seq}`;
  }

  /**
   * Re-initializes, or joins a re-initialization already running. A caller whose request failed in an
   * older generation than the current one returns at once: someone already rebuilt the session.
   *
   * @param failedGeneration - the generation the failed request was sent in
   * @param negotiatedVersion - the protocol version the SDK negotiated; the new session must agree
   * @throws SwitchboardError `SESSION_EXPIRED` when the server refuses the new session
   */
  async recover(
    io: SessionIo,
    failedGeneration: number,
    negotiatedVersion: string | undefined,
  ): Promise<void> {
    if (failedGeneration !== this.#generation) return;
    this.#running ??= this.#reinitialize(io, negotiatedVersion).finally(() => {
      this.#running = undefined;
    });
    await this.#running;
  }

  async #reinitialize(io: SessionIo, negotiatedVersion: string | undefined): Promise<void> {
    const cached = this.#initialize;
    if (cached === undefined) {
      throw new SwitchboardError(
        'SESSION_EXPIRED',
        'The server ended the session and no initialize request is known to replay',
      );
    }
    const request: JSONRPCRequest = { ...cached, id: this.internalId('reinit') };
    let result: ExchangeResult;
    try {
      result = await io.exchange(request, false);
    } catch (cause) {
      throw new SwitchboardError(
        'SESSION_EXPIRED',
        'The server ended the session and re-initializing failed',
        { cause },
      );
    }
    const response = result.response;
    if (
      result.status < 200 ||
      result.status >= 300 ||
      response === undefined ||
      !isResultResponse(response)
    ) {
      throw new SwitchboardError(
        'SESSION_EXPIRED',
        `The server ended the session and refused a new one (HTTP ${result.status})`,
        {
          details: {
            status: result.status,
            ...(response !== undefined && 'error' in response ? { rpcError: response.error } : {}),
          },
        },
      );
    }
    const version = response.result.protocolVersion;
    if (negotiatedVersion !== undefined && version !== negotiatedVersion) {
      throw new SwitchboardError(
        'SESSION_EXPIRED',
        `The server ended the session; the new one speaks protocol ${String(version)} instead of ${negotiatedVersion}`,
        { details: { negotiatedVersion, offeredVersion: version } },
      );
    }
    io.adopt(result.sessionId);
    this.#generation++;
    await io.notify(this.#initialized ?? { jsonrpc: '2.0', method: 'notifications/initialized' });
  }
}

/**
 * Tells a dead session from a request the server merely disliked: a `ping` in the same session is
 * answered 2xx by a live session, and 404 (spec) or 400 (many deployed servers) by a dead one.
 */
export async function sessionIsGone(io: SessionIo, id: string): Promise<boolean> {
  try {
    const result = await io.exchange({ jsonrpc: '2.0', id, method: 'ping' }, true);
    return result.status === 404 || result.status === 400;
  } catch {
    return false;
  }
}
