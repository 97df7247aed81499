import type { BackendEvent } from '../proxy/supervised-backend.js';
import type { LiveBackend } from './live-types.js';
import { RingBuffer } from './ring-buffer.js';

/** Longest stderr line kept, in characters. */
const MAX_STDERR_LINE = 500;
/** Instances whose stderr lines may wait for their start to be reported. */
const MAX_EARLY_INSTANCES = 64;

interface Instance extends Omit<LiveBackend, 'stderr'> {
  stderr: RingBuffer<string>;
}

/** Options of {@link BackendTracker}. */
export interface BackendTrackerOptions {
  /** Stderr lines kept per backend instance (default 20). */
  stderrLines?: number | undefined;
  /** Closed instances kept for inspection (default 50). */
  retainClosed?: number | undefined;
  /** Most live instances tracked (default 10,000). */
  maxInstances?: number | undefined;
}

/**
 * The state of every backend connection or child — per server, per instance (a session's own backend, or
 * the shared one): up, restarting or given up, how often it restarted, how it last exited, its last
 * stderr lines. Fed by the supervisor's events; bounded in instances, closed instances and lines.
 */
export class BackendTracker {
  readonly #live = new Map<string, Instance>();
  /** Stderr lines of instances not announced yet, oldest instance first. */
  readonly #early = new Map<string, RingBuffer<string>>();
  readonly #closed: RingBuffer<Instance>;
  readonly #stderrLines: number;
  readonly #maxInstances: number;

  constructor(options: BackendTrackerOptions = {}) {
    this.#stderrLines = options.stderrLines ?? 20;
    this.#closed = new RingBuffer(options.retainClosed ?? 50);
    this.#maxInstances = options.maxInstances ?? 10_000;
  }

  /** A supervisor event of the backend of `instance` (a session id, or `shared`). */
  event(server: string, instance: string, event: BackendEvent, now = Date.now()): void {
    const b = this.#instance(server, instance);
    if (b === undefined) return;
    switch (event.type) {
      case 'started':
        b.starts++;
        b.restarts = Math.max(0, b.starts - 1);
        b.state = 'up';
        return;
      case 'exited': {
        const d = event.error.details;
        b.lastExit = {
          time: now,
          message: event.error.message.slice(0, MAX_STDERR_LINE),
          ...(d.exitCode !== undefined ? { exitCode: d.exitCode } : {}),
          ...(d.signal !== undefined ? { signal: d.signal } : {}),
          uptimeMs: event.uptimeMs,
        };
        b.state = 'restarting';
        return;
      }
      case 'restarting':
        b.state = 'restarting';
        return;
      case 'gave-up':
        b.state = 'failed';
        return;
      case 'reinitialized':
        return;
    }
  }

  /**
   * A line the backend wrote to stderr. A line of an instance the supervisor has not announced yet (a
   * child may write before its start is reported) waits, bounded, until it is; a probe's short-lived child
   * is never announced, and its lines go with the oldest waiting ones.
   */
  stderr(server: string, instance: string, line: string): void {
    const text = line.length > MAX_STDERR_LINE ? `${line.slice(0, MAX_STDERR_LINE)}…` : line;
    const key = `${server}\u0000${instance}`;
    const live = this.#live.get(key);
    if (live !== undefined) {
      live.stderr.push(text);
      return;
    }
    let early = this.#early.get(key);
    if (early === undefined) {
      if (this.#early.size >= MAX_EARLY_INSTANCES) {
        const oldest = this.#early.keys().next().value as string;
        this.#early.delete(oldest);
      }
      early = new RingBuffer(this.#stderrLines);
      this.#early.set(key, early);
    }
    early.push(text);
  }

  /** The instance's session ended: it is kept a while among the closed ones. */
  closed(server: string, instance: string): void {
    const key = `${server}\u0000${instance}`;
    const b = this.#live.get(key);
    if (b === undefined) return;
    this.#live.delete(key);
    b.state = 'closed';
    this.#closed.push(b);
  }

  /** The session `instance` ended: its backends of every server are kept a while among the closed ones. */
  closedInstance(instance: string): void {
    for (const b of [...this.#live.values()]) if (b.instance === instance) this.closed(b.server, instance);
  }

  /** Live instances, then the recently closed ones (newest first). */
  snapshot(): LiveBackend[] {
    const view = (b: Instance): LiveBackend => ({ ...b, stderr: b.stderr.toArray() });
    return [...[...this.#live.values()].map(view), ...this.#closed.toArray().reverse().map(view)];
  }

  #instance(server: string, instance: string): Instance | undefined {
    const key = `${server}\u0000${instance}`;
    let b = this.#live.get(key);
    if (b !== undefined) return b;
    if (this.#live.size >= this.#maxInstances) return undefined;
    b = {
      server,
      instance,
      state: 'starting',
      starts: 0,
      restarts: 0,
      stderr: new RingBuffer(this.#stderrLines),
    };
    for (const line of this.#early.get(key)?.toArray() ?? []) b.stderr.push(line);
    this.#early.delete(key);
    this.#live.set(key, b);
    return b;
  }
}
