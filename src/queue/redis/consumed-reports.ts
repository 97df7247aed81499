import { runScript } from './lua-script.js';
import type { RedisClient } from './redis-client.js';

/** Bytes of consumed records after which a connection's counter is reported at once: 64 KiB. */
export const REPORT_BYTES = 64 * 1024;

/** Longest a consumed byte waits before it is reported: 50 ms. */
export const REPORT_DELAY_MS = 50;

/** Connections whose counters one script call updates at most. */
const KEYS_PER_SCRIPT = 500;

/** `HINCRBY` + `PEXPIRE` of many connection hashes in one command. */
const REPORT_SCRIPT = `for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, ARGV[1], ARGV[i + 2])
  redis.call('PEXPIRE', key, ARGV[2])
end
return #KEYS`;

/**
 * Coalesces the consumed-bytes counters that a reader reports to its senders' flow control (a field of
 * each connection's hash). The counters only matter to a sender whose window (MiBs) is nearly full, so
 * a report per record would cost Redis commands per message for nothing: a connection's bytes are
 * reported once they reach {@link REPORT_BYTES}, else at most {@link REPORT_DELAY_MS} later, all
 * connections in one pass (one Redis command, see {@link reportConsumed}). A stalled sender thus learns
 * of progress with that delay at most, and keeps at most `REPORT_BYTES` less of its window usable.
 * Holds one number per connection with unreported bytes (bounded by the open connections).
 */
export class ConsumedReports {
  readonly #report: (counts: [conn: string, bytes: number][]) => void;
  readonly #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  /** @param report - sends counter increments of one or more connections (errors are the caller's to handle) */
  constructor(report: (counts: [conn: string, bytes: number][]) => void) {
    this.#report = report;
  }

  /** Counts `bytes` consumed on `conn`; reports now when the connection's unreported bytes are many. */
  add(conn: string, bytes: number): void {
    if (bytes <= 0) return;
    const total = (this.#pending.get(conn) ?? 0) + bytes;
    if (total >= REPORT_BYTES) {
      this.#pending.delete(conn);
      this.#report([[conn, total]]);
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
    if (this.#pending.size === 0) return;
    const pending = [...this.#pending];
    this.#pending.clear();
    this.#report(pending);
  }
}

/**
 * Adds `counts` to `field` of each connection's hash (`hashKey(conn)`) and renews the hashes' expiry:
 * one Redis command per {@link KEYS_PER_SCRIPT} connections.
 */
export async function reportConsumed(
  client: RedisClient,
  counts: [conn: string, bytes: number][],
  hashKey: (conn: string) => string,
  field: string,
  ttlMs: number,
): Promise<void> {
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < counts.length; i += KEYS_PER_SCRIPT) {
    const chunk = counts.slice(i, i + KEYS_PER_SCRIPT);
    runs.push(
      runScript(
        client,
        REPORT_SCRIPT,
        chunk.map(([conn]) => hashKey(conn)),
        [field, String(ttlMs), ...chunk.map(([, bytes]) => String(bytes))],
      ),
    );
  }
  await Promise.all(runs);
}
