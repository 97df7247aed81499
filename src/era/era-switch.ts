import { SwitchboardError } from '../errors.js';
import type { JSONRPCMessage } from '../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import {
  enableRawFrames,
  RAW_FRAMES,
  RAW_WRITES,
  writesRaw,
  type RawFrameScope,
} from '../framing/raw-frame-mode.js';
import { isModernClientMessage } from './era-meta.js';

/** What the switch does with the session, decided on its first message. */
type Mode = 'undecided' | 'relay' | 'bridge';

/** Options of {@link EraSwitch}. */
export interface EraSwitchOptions {
  /**
   * Called once, on the client's first message when it is a 2026-07-28 message: returns the stage that
   * serves the session instead of the backend connection, or `undefined` when the backend speaks the
   * client's era (then the connection is used as is).
   */
  bridgeFor: () => Promise<Transport | undefined>;
}

/** Most messages held while the first one decides the session's era. */
const MAX_HELD = 1000;

/**
 * Per client session, in the backend's place: decides on the session's first message whether the
 * client speaks the backend's era. If so (every 2025 client, a 2026-07-28 client of a backend that speaks
 * 2026-07-28) the backend connection is started and used directly — the backend's messages reach the
 * relay with no hop through the switch, and sending costs one branch. Otherwise the session is handed to
 * the era bridge's stage and the connection is never started.
 */
export class EraSwitch implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;

  readonly #inner: Transport;
  readonly #options: EraSwitchOptions;
  #onmessage: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  #mode: Mode = 'undecided';
  #target: Transport | undefined;
  #deciding: Promise<Transport> | undefined;
  #held = 0;
  #closed = false;
  #closeFired = false;

  /**
   * @param inner - the session's backend connection (unstarted; started only if the session relays)
   * @param options - the bridge hook
   */
  constructor(inner: Transport, options: EraSwitchOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  get onmessage(): ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined {
    return this.#onmessage;
  }

  set onmessage(handler: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined) {
    this.#onmessage = handler;
    if (this.#target !== undefined) this.#target.onmessage = handler;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  get hasPerRequestStream(): boolean {
    return this.#mode === 'relay' && this.#inner.hasPerRequestStream === true;
  }

  /** `relay` (same era), `bridge` (translated) or `undecided` (no message yet). */
  get mode(): Mode {
    return this.#mode;
  }

  /**
   * Raw-frame mode reaches the backend connection; when the session is bridged instead, the bridge reads
   * and rebuilds the messages, which then travel as JSON.
   */
  [RAW_FRAMES](scope?: RawFrameScope): void {
    enableRawFrames(this.#inner, scope);
  }

  /** Whether what serves the session (the backend connection or the bridge) writes raw. */
  [RAW_WRITES](): boolean {
    return writesRaw(this.#target ?? this.#inner);
  }

  /** The backend connection starts on the first message, once the era is known. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const target = this.#target;
    if (target !== undefined) return target.send(message, options);
    if (this.#closed) return Promise.reject(new SwitchboardError('TRANSPORT_CLOSED', 'Session closed'));
    if (this.#held >= MAX_HELD) {
      return Promise.reject(
        new SwitchboardError('BACKEND_UNAVAILABLE', 'Too many messages before the era is known'),
      );
    }
    this.#deciding ??= this.#decide(message);
    this.#held++;
    return this.#deciding.then(
      (t) => {
        this.#held--;
        return t.send(message, options);
      },
      (error: unknown) => {
        this.#held--;
        throw error;
      },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const target = this.#target;
    if (target !== undefined && target !== this.#inner) {
      await Promise.allSettled([target.close(), this.#inner.close()]);
      return;
    }
    if (target === undefined) {
      // Never decided: nothing was started; the inner connection is closed for its resources' sake.
      this.#inner.onclose = undefined;
      await this.#inner.close().catch(() => undefined);
      this.#fireClose();
      return;
    }
    await this.#inner.close();
  }

  async #decide(first: JSONRPCMessage): Promise<Transport> {
    const stage = isModernClientMessage(first) ? await this.#options.bridgeFor() : undefined;
    if (this.#closed) throw new SwitchboardError('TRANSPORT_CLOSED', 'Session closed');
    const target = stage ?? this.#inner;
    this.#mode = stage === undefined ? 'relay' : 'bridge';
    target.onmessage = this.#onmessage;
    target.onerror = (e) => this.onerror?.(e);
    target.onclose = () => this.#fireClose();
    if (stage !== undefined) this.#inner.onclose = undefined;
    await target.start();
    this.#target = target;
    return target;
  }

  #fireClose(): void {
    this.#closed = true;
    if (this.#closeFired) return;
    this.#closeFired = true;
    try {
      this.onclose?.();
    } catch {
      // onclose is the last word.
    }
  }
}
