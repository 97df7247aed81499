/** Bytes of consumed records after which a connection's counter is reported at once: 64 KiB. */
export const REPORT_BYTES = 64 * 1024;

/** Longest a consumed byte waits before it is reported: 50 ms. */
export const REPORT_DELAY_MS = 50;

/**
 * Coalesces the consumed-bytes counters that a reader reports to its senders' flow control
 * (`HINCRBY` + `PEXPIRE` of the connection's hash). The counters only matter to a sender whose window
 * (MiBs) is nearly full, so a report per record would cost two Redis commands per message for nothing:
 * a connection's bytes are reported once they reach {@link REPORT_BYTES}, else at most
 * {@link REPORT_DELAY_MS} later, all connections in one pass. A stalled sender thus learns of progress
 * with that delay at most, and keeps at most `REPORT_BYTES` less of its window usable.
 * Holds one number per connection with unreported bytes (bounded by the open connections).
 */
export class ConsumedReports {
  readonly #report: (conn: string, bytes: number) => void;
  readonly #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  /** @param report - sends one connection's counter increment (errors are the caller's to handle) */
  constructor(report: (conn: string, bytes: number) => void) {
    this.#report = report;
  }

  /** Counts `bytes` consumed on `conn`; reports now when the connection's unreported bytes are many. */
  add(conn: string, bytes: number): void {
    if (bytes <= 0) return;
    const total = (this.#pending.get(conn) ?? 0) + bytes;
    if (total >= REPORT_BYTES) {
      this.#pending.delete(conn);
      this.#report(conn, total);
      return;
    }
    this.#pending.set(conn, total);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, REPORT_DELAY_MS).unref();
  }

  /** Reports every connection's unreported bytes now (also before closing). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [conn, bytes] of pending) this.#report(conn, bytes);
  }
}
