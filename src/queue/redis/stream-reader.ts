import { toSwitchboardError } from '../../errors.js';
import type { RedisClient } from './redis-client.js';
import { parseStreamReply, type StreamEntry } from './stream-reply.js';

export type { StreamEntry } from './stream-reply.js';

/** Options of {@link StreamReader}. */
export interface StreamReaderOptions {
  /** The dedicated connection the blocking reads run on (owned by the reader from now on). */
  reader: RedisClient;
  /** Another connection, used to interrupt a blocked read when the set of keys changes. */
  control: RedisClient;
  /**
   * Read as `consumer` of this consumer group (`XREADGROUP`: entries stay pending until acknowledged);
   * without a group, plain `XREAD` from a position kept here (the caller deletes what it consumed).
   */
  group?: { name: string; consumer: string } | undefined;
  /** Entries per key and read (default 256). */
  count?: number | undefined;
  /** Longest a read blocks, in ms. */
  blockMs: number;
  /** Entries of one key, in stream order. Must not throw. */
  onEntries: (key: string, entries: StreamEntry[]) => void;
  /** A read failed (it is retried with backoff after `recover`). */
  onError: (error: Error) => void;
  /** Repairs what a failed read may need (e.g. re-creates consumer groups) before the retry. */
  recover?: ((keys: string[]) => Promise<void>) | undefined;
  /**
   * While `busy()` after a delivery, the next read waits — at most `maxMs` — for a command sent with
   * {@link StreamReader.sendAhead} to leave in the same write (a worker's next answer): one write and,
   * when entries are there by then, one reply for both. Records arriving meanwhile wait that long.
   *
   * While also `backlogged()` (the consumer has work queued for a while yet), a command sent ahead
   * within the first `maxMs` of the hold leaves alone and the read waits on: it goes with the first one
   * sent after `maxMs`, or when no longer backlogged, and at the latest after `2 × maxMs`. One read then
   * brings what several answers prompted, instead of one read per answer.
   */
  hold?: { busy: () => boolean; maxMs: number; backlogged?: () => boolean } | undefined;
}

const UNBLOCK_RETRIES = 50;
/** Longest `close()` waits for the answers to commands sent ahead. */
const CLOSE_WAIT_MS = 2_000;

/**
 * A loop of blocking `XREADGROUP … BLOCK` (or `XREAD … BLOCK`) reads over a changing set of streams on
 * one dedicated connection. Adding a key interrupts the blocked read (`CLIENT UNBLOCK`) so the new
 * stream is read at once; a key may start at `0` (with a group: this consumer's pending entries first,
 * then new ones; without: the stream's first entry).
 */
export class StreamReader {
  readonly #o: StreamReaderOptions;
  /**
   * key → next id to read: with a group `>` for new entries or a position in this consumer's pending
   * list; without, the last id read.
   */
  readonly #keys = new Map<string, string>();
  #readerId: number | undefined;
  #reading = 0;
  #paused = false;
  #closed = false;
  /** Between a delivery and the next read: the reading connection is free for commands. */
  #between = false;
  /** Ends a hold (see `hold`): the next read is issued now. */
  #release: (() => void) | undefined;
  /** When the current hold began (`performance.now()`). */
  #heldSince = 0;
  /** A command was sent ahead since the last read was issued (it waits for that read to leave). */
  #sentAhead = false;
  /** Commands sent ahead and not answered yet: `close()` lets them finish. */
  readonly #ahead = new Set<Promise<unknown>>();
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: StreamReaderOptions) {
    this.#o = options;
  }

  /** Starts the loop. */
  async start(): Promise<void> {
    this.#readerId = await this.#o.reader.clientId();
    this.#loop = this.#run();
  }

  /** Keys currently read. */
  get keys(): string[] {
    return [...this.#keys.keys()];
  }

  /** Reads `key` from now on, starting with its first (group: this consumer's first pending) entry when `from` is `0`. */
  add(key: string, from: '>' | '0' = '>'): void {
    if (this.#keys.has(key)) return;
    this.#keys.set(key, this.#o.group === undefined && from === '>' ? '$' : from);
    this.#interrupt();
  }

  /**
   * Sends `args` on the reading connection when it is free — after a delivery, until the next read is
   * issued one event-loop turn later — so the command and the next read leave in one write; else
   * `undefined` (a read is blocked there: send it elsewhere).
   */
  sendAhead(args: string[]): Promise<unknown> | undefined {
    if (!this.#between || this.#closed) return undefined;
    const sent = this.#o.reader.sendCommand(args);
    this.#ahead.add(sent);
    this.#sentAhead = true;
    const done = (): void => void this.#ahead.delete(sent);
    sent.then(done, done);
    if (this.#release !== undefined && !this.#gathering()) this.#release();
    return sent;
  }

  /** Stops reading `key` (entries of a read already under way may still arrive). */
  remove(key: string): void {
    this.#keys.delete(key);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wake?.();
  }

  /**
   * Ends the loop and closes the reading connection, once the commands sent ahead on it were answered
   * (a worker's last answers among them; at most {@link CLOSE_WAIT_MS}). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    this.#release?.();
    if (this.#ahead.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(this.#ahead),
        new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    try {
      if (this.#o.reader.isOpen) this.#o.reader.destroy();
    } catch {
      // Already closed.
    }
    await this.#loop?.catch(() => undefined);
  }

  async #run(): Promise<void> {
    let backoff = 50;
    while (!this.#closed) {
      if (this.#paused || this.#keys.size === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      const asked = [...this.#keys];
      this.#reading++;
      this.#sentAhead = false;
      let reply: unknown;
      try {
        reply = await this.#o.reader.sendCommand(this.#command(asked));
        backoff = 50;
      } catch (error) {
        if (this.#closed) return;
        this.#o.onError(toSwitchboardError(error, 'CONNECTION_FAILED'));
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(2_000, backoff * 2);
        await this.#o.recover?.(this.keys).catch(() => undefined);
        continue;
      } finally {
        this.#reading--;
      }
      if (this.#closed) return;
      // What the handlers send in reaction (a client's next request) goes ahead of the next read, in
      // the same write: the next read is issued in an immediate queued before the one in which the
      // client library writes what the handlers sent.
      this.#between = true;
      const nextTurn = new Promise((r) => setImmediate(r));
      if (this.#deliver(asked, parseStreamReply(reply))) {
        await nextTurn;
        const hold = this.#o.hold;
        const backlogged = hold?.backlogged?.() === true;
        // A command sent ahead since the delivery leaves with the read now, unless backlogged.
        if (
          hold !== undefined &&
          this.#release === undefined &&
          hold.busy() &&
          (!this.#sentAhead || backlogged)
        )
          await this.#hold(backlogged ? 2 * hold.maxMs : hold.maxMs);
      }
      this.#between = false;
    }
  }

  /** A backlogged hold younger than `maxMs`: a command sent ahead does not end it. */
  #gathering(): boolean {
    const hold = this.#o.hold;
    if (hold?.backlogged === undefined) return false;
    return performance.now() - this.#heldSince < hold.maxMs && hold.backlogged();
  }

  #hold(ms: number): Promise<void> {
    this.#heldSince = performance.now();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#release?.(), ms);
      this.#release = () => {
        clearTimeout(timer);
        this.#release = undefined;
        resolve();
      };
    });
  }

  #command(asked: [string, string][]): string[] {
    const { group } = this.#o;
    const head = group === undefined ? ['XREAD'] : ['XREADGROUP', 'GROUP', group.name, group.consumer];
    head.push('COUNT', String(this.#o.count ?? 256), 'BLOCK', String(this.#o.blockMs), 'STREAMS');
    for (const [key] of asked) head.push(key);
    for (const [, id] of asked) head.push(id);
    return head;
  }

  /** Hands the entries over; `true` when there were any. */
  #deliver(asked: [string, string][], got: Map<string, StreamEntry[]>): boolean {
    const grouped = this.#o.group !== undefined;
    for (const [key, id] of asked) {
      if (!this.#keys.has(key)) continue;
      const last = got.get(key)?.at(-1);
      if (!grouped) {
        // `$` becomes a position once the stream has one (the read returned an entry).
        if (last !== undefined) this.#keys.set(key, last.id);
        continue;
      }
      if (id === '>') continue;
      // Paging through our pending entries: continue after the last one, or switch to new entries.
      this.#keys.set(key, last === undefined ? '>' : last.id);
    }
    let delivered = false;
    for (const [key, entries] of got) {
      if (entries.length === 0 || !this.#keys.has(key)) continue;
      delivered = true;
      this.#o.onEntries(key, entries);
    }
    return delivered;
  }

  /** Interrupts a blocked read so the next one includes the new key set. */
  #interrupt(): void {
    this.#wake?.();
    this.#release?.();
    if (this.#reading === 0 || this.#readerId === undefined) return;
    const id = String(this.#readerId);
    let tries = 0;
    const attempt = (): void => {
      if (this.#closed || this.#reading === 0) return;
      this.#o.control.sendCommand(['CLIENT', 'UNBLOCK', id]).then(
        (unblocked) => {
          // 0: the read was sent but is not blocking yet; try again shortly.
          if (Number(unblocked) === 0 && ++tries < UNBLOCK_RETRIES) setTimeout(attempt, 2);
        },
        () => undefined,
      );
    };
    attempt();
  }
}
