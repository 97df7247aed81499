import { SwitchboardError } from '../errors.js';

/** Default time an accepted connection has to deliver its first complete message: 30 s. */
export const DEFAULT_FIRST_FRAME_TIMEOUT_MS = 30_000;
/** Default time a message may take from its first byte to its last: 60 s. */
export const DEFAULT_FRAME_TIMEOUT_MS = 60_000;

/** Deadlines of an accepted connection (0 disables one). */
export interface FrameDeadlineOptions {
  /**
   * Close a connection that has not delivered one complete message this long after it was accepted
   * (silent connections), in ms. Listener default 30 000; 0 = never.
   */
  firstFrameTimeoutMs?: number | undefined;
  /**
   * Close a connection whose message, once begun, is not complete this long after its first byte
   * (slowloris: a message dribbled a byte at a time), in ms. Listener default 60 000; 0 = never.
   */
  frameTimeoutMs?: number | undefined;
}

function validMs(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new SwitchboardError('INVALID_OPTIONS', `${name} must be a number ≥ 0, got ${String(value)}`);
  }
  return ms;
}

/**
 * The two timers that reclaim connections which hold a slot without speaking: one until the first
 * complete message, one per message from its first byte to its last. Expiry calls `onExpired` once with
 * a `FRAME_TIMEOUT` error; the owner closes the connection.
 */
export class FrameDeadlines {
  readonly #firstMs: number;
  readonly #frameMs: number;
  readonly #onExpired: (error: SwitchboardError) => void;
  #first: NodeJS.Timeout | undefined;
  #frame: NodeJS.Timeout | undefined;
  #done = false;

  /**
   * @param options - the two timeouts (defaults 30 s and 60 s)
   * @param onExpired - called once, with the reason, when a deadline passes
   * @throws SwitchboardError `INVALID_OPTIONS` for a negative timeout
   */
  constructor(options: FrameDeadlineOptions, onExpired: (error: SwitchboardError) => void) {
    this.#firstMs = validMs(
      'firstFrameTimeoutMs',
      options.firstFrameTimeoutMs,
      DEFAULT_FIRST_FRAME_TIMEOUT_MS,
    );
    this.#frameMs = validMs('frameTimeoutMs', options.frameTimeoutMs, DEFAULT_FRAME_TIMEOUT_MS);
    this.#onExpired = onExpired;
  }

  /** Arms the first-message deadline (call when the connection starts). */
  start(): void {
    if (this.#done || this.#firstMs === 0 || this.#first !== undefined) return;
    this.#first = this.#timer(
      this.#firstMs,
      `No complete message within ${this.#firstMs} ms of connecting (firstFrameTimeoutMs); connection closed`,
      'first-frame',
    );
  }

  /** Part of a message arrived: arms the per-message deadline unless it runs already. */
  frameBegun(): void {
    if (this.#done || this.#frameMs === 0 || this.#frame !== undefined) return;
    this.#frame = this.#timer(
      this.#frameMs,
      `A message was not completed within ${this.#frameMs} ms of its first byte (frameTimeoutMs); connection closed`,
      'frame',
    );
  }

  /** A message (valid or not) is complete: both deadlines are met. */
  frameEnded(): void {
    this.#clearFirst();
    this.#clearFrame();
  }

  /** Nothing is buffered any more without a message having ended (e.g. a control frame): the per-message deadline is met. */
  idle(): void {
    this.#clearFrame();
  }

  /** Disarms everything for good (the connection closed). */
  stop(): void {
    this.#done = true;
    this.#clearFirst();
    this.#clearFrame();
  }

  #clearFirst(): void {
    clearTimeout(this.#first);
    this.#first = undefined;
  }

  #clearFrame(): void {
    clearTimeout(this.#frame);
    this.#frame = undefined;
  }

  #timer(ms: number, message: string, deadline: 'first-frame' | 'frame'): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.#done) return;
      this.stop();
      this.#onExpired(
        new SwitchboardError('FRAME_TIMEOUT', message, { details: { deadline, timeoutMs: ms } }),
      );
    }, ms);
    timer.unref();
    return timer;
  }
}
