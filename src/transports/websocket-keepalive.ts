import type WebSocket from 'ws';

/**
 * Ping/pong keep-alive with dead-peer detection: a ping goes out every `intervalMs`; when the next
 * tick comes and nothing arrived from the peer since the previous ping (no pong, no message), the peer
 * is declared dead and `onDead` runs (the caller terminates the socket).
 */
export class KeepAlive {
  readonly #ws: WebSocket;
  readonly #intervalMs: number;
  readonly #onDead: () => void;
  #timer: NodeJS.Timeout | undefined;
  #alive = true;

  /**
   * @param ws - the open socket
   * @param intervalMs - ping interval; `0` disables keep-alive
   * @param onDead - called once when the peer missed a whole interval
   */
  constructor(ws: WebSocket, intervalMs: number, onDead: () => void) {
    this.#ws = ws;
    this.#intervalMs = intervalMs;
    this.#onDead = onDead;
  }

  /** Starts pinging (no-op when the interval is 0). The timer does not keep the process alive. */
  start(): void {
    if (this.#intervalMs <= 0 || this.#timer) return;
    this.#ws.on('pong', this.touch);
    this.#timer = setInterval(this.#tick, this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops pinging. Idempotent. */
  stop(): void {
    clearInterval(this.#timer);
    this.#ws.off('pong', this.touch);
  }

  /** Something arrived from the peer: it is alive. */
  readonly touch = (): void => {
    this.#alive = true;
  };

  readonly #tick = (): void => {
    if (!this.#alive) {
      this.stop();
      this.#onDead();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  };
}
