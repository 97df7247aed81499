import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveFrame } from './live-types.js';
import type { LiveMonitor } from './live-monitor.js';

/** Options of {@link LiveFeed}. */
export interface LiveFeedOptions {
  /** Streams open at once (default 8); one more gets 503. */
  maxClients?: number | undefined;
  /** How often every stream gets a fresh snapshot, ms (default 1000). */
  snapshotIntervalMs?: number | undefined;
  /** How often new frames are sent, in one batch, ms (default 250). */
  frameIntervalMs?: number | undefined;
  /** Frames waiting per stream between batches (default 500); beyond, the oldest are left out. */
  maxPendingFrames?: number | undefined;
  /** Bytes a stream may have unsent before it is skipped until it drains (default 1 MiB). */
  maxUnsentBytes?: number | undefined;
}

interface Client {
  res: ServerResponse;
  pending: LiveFrame[];
  skipped: number;
}

/**
 * The live stream of the dashboard and `switchboard top` (Server-Sent Events): a `snapshot` event at
 * once and every second, `frames` events with the frames that passed since the last batch. A slow
 * reader never holds memory: its frames beyond the bound are left out (counted in the next batch's
 * `skipped`), and while its socket has more than `maxUnsentBytes` unsent, it gets nothing new.
 *
 * @example
 * ```ts
 * const feed = new LiveFeed(monitor);
 * routes['/dashboard/api/events'] = (req, res) => feed.attach(req, res);
 * ```
 */
export class LiveFeed {
  readonly #monitor: LiveMonitor;
  readonly #clients = new Set<Client>();
  readonly #o: { [K in keyof LiveFeedOptions]-?: number };
  #unsubscribe: (() => void) | undefined;
  #snapshotTimer: NodeJS.Timeout | undefined;
  #frameTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /** @param monitor - what is streamed */
  constructor(monitor: LiveMonitor, options: LiveFeedOptions = {}) {
    this.#monitor = monitor;
    this.#o = {
      maxClients: options.maxClients ?? 8,
      snapshotIntervalMs: options.snapshotIntervalMs ?? 1000,
      frameIntervalMs: options.frameIntervalMs ?? 250,
      maxPendingFrames: options.maxPendingFrames ?? 500,
      maxUnsentBytes: options.maxUnsentBytes ?? 1024 * 1024,
    };
  }

  /** Streams currently open. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Answers `req` with the live stream (503 when closed or full). */
  attach(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed || this.#clients.size >= this.#o.maxClients) {
      res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'retry-after': '5' });
      res.end('too many dashboard streams\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const client: Client = { res, pending: [], skipped: 0 };
    this.#clients.add(client);
    const drop = (): void => {
      this.#clients.delete(client);
      if (this.#clients.size === 0) this.#stop();
    };
    res.once('close', drop);
    req.socket.setNoDelay(true);
    this.#write(client, 'snapshot', this.#monitor.snapshot());
    this.#write(client, 'frames', { frames: this.#monitor.tail(), skipped: 0 });
    this.#start();
  }

  /** Ends every stream; later requests get 503. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop();
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
  }

  #start(): void {
    if (this.#unsubscribe !== undefined) return;
    this.#unsubscribe = this.#monitor.subscribe((frame) => {
      for (const c of this.#clients) {
        if (c.pending.length >= this.#o.maxPendingFrames) {
          c.pending.shift();
          c.skipped++;
        }
        c.pending.push(frame);
      }
    });
    this.#snapshotTimer = setInterval(() => {
      const snapshot = this.#monitor.snapshot();
      for (const c of this.#clients) if (this.#writable(c)) this.#write(c, 'snapshot', snapshot);
    }, this.#o.snapshotIntervalMs);
    this.#frameTimer = setInterval(() => {
      for (const c of this.#clients) {
        if (c.pending.length === 0) continue;
        if (!this.#writable(c)) {
          c.skipped += c.pending.length;
          c.pending = [];
          continue;
        }
        this.#write(c, 'frames', { frames: c.pending, skipped: c.skipped });
        c.pending = [];
        c.skipped = 0;
      }
    }, this.#o.frameIntervalMs);
    this.#snapshotTimer.unref();
    this.#frameTimer.unref();
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearInterval(this.#snapshotTimer);
    clearInterval(this.#frameTimer);
  }

  #writable(c: Client): boolean {
    return !c.res.destroyed && c.res.writableLength <= this.#o.maxUnsentBytes;
  }

  #write(c: Client, event: string, data: unknown): void {
    if (c.res.destroyed) return;
    // JSON text has no raw newline: one `data:` line per event.
    c.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
