import type { ConnectionInfo } from '../listener.js';
import {
  isErrorResponse,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import { MetaKey } from '../protocol/versions.js';
import type { ProxyEvent } from '../proxy/proxy.js';
import type { AuthInfo } from '../transport.js';
import { BackendTracker, type BackendTrackerOptions } from './backend-tracker.js';
import { framePreview, targetOf } from './frame-preview.js';
import type { LiveCall, LiveFrame, LiveInflight, LiveSession, LiveSnapshot } from './live-types.js';
import { OperationSeries, type OperationSeriesOptions } from './operation-series.js';
import { RingBuffer } from './ring-buffer.js';

/** Options of {@link LiveMonitor}. */
export interface LiveMonitorOptions extends OperationSeriesOptions, BackendTrackerOptions {
  /** The name of the backend server (default `backend`); a gateway resolves names per call instead. */
  server?: string | undefined;
  /**
   * Which server a request goes to, and its target there (a gateway's `server__tool` names). Default:
   * {@link server}, the target unchanged.
   */
  route?:
    | ((method: string, target: string | undefined) => { server: string; target?: string | undefined })
    | undefined;
  /** Frames kept in the live tail (default 500). */
  tailFrames?: number | undefined;
  /** Frames kept per session (default 30). */
  sessionFrames?: number | undefined;
  /** Closed sessions kept for inspection (default 50). */
  retainSessions?: number | undefined;
  /** Open sessions tracked (default 10,000); beyond, a session's frames still count in the totals. */
  maxSessions?: number | undefined;
  /** Requests in flight tracked across sessions (default 10,000). */
  maxInflight?: number | undefined;
  /** Payload previews made per second (default 500): errors always get one; the rest only within it. */
  previewsPerSecond?: number | undefined;
  /** Slowest recent calls kept (default 20), over the series window. */
  slowest?: number | undefined;
}

interface Pending {
  id: RequestId;
  method: string;
  target: string | undefined;
  server: string;
  startedAt: number;
  progressToken: string | number | undefined;
  progress?: LiveInflight['progress'];
}

interface SessionState extends LiveSession {
  frames: RingBuffer<LiveFrame>;
  pending: Map<RequestId, Pending>;
  byToken: Map<string | number, Pending>;
}

const META_VERSION = MetaKey.protocolVersion;
const META_CLIENT = MetaKey.clientInfo;

/** Who the caller proved to be; nothing for the unauthenticated placeholder. */
const principalOf = (auth: AuthInfo | undefined): string | undefined =>
  auth === undefined || auth.extra?.scheme === 'none' ? undefined : auth.clientId.slice(0, 200);

const errorText = (message: JSONRPCMessage): string | undefined => {
  if (isErrorResponse(message)) return `${message.error.code}: ${message.error.message}`.slice(0, 300);
  const result = message.result as { isError?: unknown; content?: { text?: unknown }[] } | undefined;
  if (result?.isError !== true) return undefined;
  const text = result.content?.find((c) => typeof c.text === 'string')?.text;
  return typeof text === 'string' ? `tool error: ${text.slice(0, 280)}` : 'tool error';
};

/**
 * What flows through a switchboard right now, for the live dashboard and `switchboard top`: sessions
 * (client, era, principal, frontend, in flight), backends (state, restarts, last exit, stderr), requests
 * in flight with their progress, the slowest recent calls, per-operation rate/error/latency series and a
 * tail of recent frames (redacted, bounded). Every collection is bounded; nothing here exists unless the
 * dashboard is on.
 *
 * Feed it with {@link observe} (frames at the client-facing edge: the `liveTap` middleware calls it),
 * {@link onProxyEvent} and {@link backendStderr}.
 *
 * @example
 * ```ts
 * const monitor = new LiveMonitor({ server: 'everything' });
 * const proxy = new Proxy({ connectBackend, onEvent: (e) => monitor.onProxyEvent(e) });
 * listen(uri, { onConnection: (t, info) => proxy.accept(pipe(t, liveTap(monitor, 'http', info)), info) });
 * ```
 */
export class LiveMonitor {
  readonly since = Date.now();
  readonly #o: LiveMonitorOptions;
  readonly #server: string;
  readonly #sessions = new Map<string, SessionState>();
  readonly #closed: RingBuffer<SessionState>;
  readonly #tail: RingBuffer<LiveFrame>;
  readonly #series: OperationSeries;
  readonly #backends: BackendTracker;
  readonly #listeners = new Set<(frame: LiveFrame) => void>();
  #slowest: LiveCall[] = [];
  #seq = 0;
  #inflight = 0;
  #requests = 0;
  #errors = 0;
  #previewSecond = 0;
  #previewsLeft = 0;
  #dropped = 0;

  /** @param options - bounds and the server name */
  constructor(options: LiveMonitorOptions = {}) {
    this.#o = options;
    this.#server = options.server ?? 'backend';
    this.#closed = new RingBuffer(options.retainSessions ?? 50);
    this.#tail = new RingBuffer(options.tailFrames ?? 500);
    this.#series = new OperationSeries(options);
    this.#backends = new BackendTracker(options);
  }

  /** The server name of a single-backend switchboard. */
  get server(): string {
    return this.#server;
  }

  /** A client session opened on `frontend` (its kind: `http`, `tcp`, `stdio`, …). Idempotent. */
  sessionOpened(
    id: string,
    frontend: string,
    info: ConnectionInfo & { authInfo?: AuthInfo | undefined } = {},
  ): void {
    if (this.#sessions.has(id) || this.#sessions.size >= (this.#o.maxSessions ?? 10_000)) return;
    this.#sessions.set(id, {
      id,
      frontend,
      ...(info.remoteAddress !== undefined ? { remoteAddress: info.remoteAddress } : {}),
      ...(principalOf(info.authInfo) !== undefined ? { principal: principalOf(info.authInfo) } : {}),
      openedAt: Date.now(),
      inflight: 0,
      requests: 0,
      errors: 0,
      frames: new RingBuffer(this.#o.sessionFrames ?? 30),
      pending: new Map(),
      byToken: new Map(),
    });
  }

  /** The session ended. Idempotent. */
  sessionClosed(id: string): void {
    const s = this.#sessions.get(id);
    if (s === undefined) return;
    this.#sessions.delete(id);
    this.#inflight -= s.pending.size;
    s.pending.clear();
    s.byToken.clear();
    s.inflight = 0;
    s.closedAt = Date.now();
    this.#closed.push(s);
  }

  /** A proxy event: sessions closing, backends starting, exiting, restarting, giving up. */
  onProxyEvent(event: ProxyEvent): void {
    if (event.type === 'session-closed') {
      this.sessionClosed(event.sessionId);
      this.#backends.closedInstance(event.sessionId);
    } else if (event.type === 'backend') {
      this.#backends.event(this.#server, event.sessionId ?? 'shared', event.event);
    }
  }

  /** A line a backend child wrote to stderr (`sessionId` undefined: the shared backend). */
  backendStderr(sessionId: string | undefined, line: string, server = this.#server): void {
    this.#backends.stderr(server, sessionId ?? 'shared', line);
  }

  /** A backend event of a named server (for gateways; `serve` feeds {@link onProxyEvent}). */
  backendEvent(server: string, instance: string, event: Parameters<BackendTracker['event']>[2]): void {
    this.#backends.event(server, instance, event);
  }

  /** A frame at the client-facing edge of `session`: `in` from the client, `out` to it. */
  observe(session: string, direction: 'in' | 'out', message: JSONRPCMessage, authInfo?: AuthInfo): void {
    const s = this.#sessions.get(session);
    const now = Date.now();
    let frame: LiveFrame;
    if (isRequest(message)) {
      const target = targetOf(message.params);
      const routed = this.#route(message.method, target);
      frame = this.#frame(now, session, routed.server, direction, 'request', message);
      frame.method = message.method;
      frame.id = message.id;
      if (routed.target !== undefined) frame.target = routed.target;
      if (s !== undefined && direction === 'in') this.#requestIn(s, message, routed, now, authInfo);
    } else if (isResponse(message)) {
      const pending =
        direction === 'out' && message.id !== undefined ? s?.pending.get(message.id) : undefined;
      const error = errorText(message);
      frame = this.#frame(
        now,
        session,
        pending?.server ?? this.#server,
        direction,
        error ? 'error' : 'result',
        message,
        error !== undefined,
      );
      if (message.id !== undefined) frame.id = message.id;
      if (error !== undefined) frame.error = error;
      if (s !== undefined && pending !== undefined) {
        frame.method = pending.method;
        if (pending.target !== undefined) frame.target = pending.target;
        frame.durationMs = now - pending.startedAt;
        this.#answered(s, pending, message, error, now);
      }
    } else {
      frame = this.#frame(now, session, this.#server, direction, 'notification', message);
      frame.method = message.method;
      if (s !== undefined) this.#notification(s, direction, message);
    }
    s?.frames.push(frame);
    this.#tail.push(frame);
    for (const listener of this.#listeners) {
      try {
        listener(frame);
      } catch {
        // A subscriber's failure is its own; the traffic goes on.
      }
    }
  }

  /** Receives every frame from now on; returns the unsubscribe function. */
  subscribe(listener: (frame: LiveFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The recent frames of the live tail (oldest first). */
  tail(): LiveFrame[] {
    return this.#tail.toArray();
  }

  /** The recent frames of one session, open or recently closed; `undefined` when unknown. */
  sessionFrames(id: string): LiveFrame[] | undefined {
    const s = this.#sessions.get(id) ?? this.#closed.toArray().find((c) => c.id === id);
    return s?.frames.toArray();
  }

  /** Everything the dashboard shows, now (at most `maxSessions` sessions, most recent first). */
  snapshot(options: { maxSessions?: number; now?: number } = {}): LiveSnapshot {
    const now = options.now ?? Date.now();
    const window = this.#series.bucketSeconds * 1000 * (this.#o.buckets ?? 60);
    this.#slowest = this.#slowest.filter((c) => c.time > now - window);
    const inflight: LiveInflight[] = [];
    for (const s of this.#sessions.values()) {
      for (const p of s.pending.values()) {
        if (inflight.length >= 200) break;
        inflight.push({
          session: s.id,
          server: p.server,
          id: p.id,
          method: p.method,
          ...(p.target !== undefined ? { target: p.target } : {}),
          startedAt: p.startedAt,
          ...(p.progress !== undefined ? { progress: p.progress } : {}),
        });
      }
    }
    inflight.sort((a, b) => a.startedAt - b.startedAt);
    const view = ({ frames: _f, pending: _p, byToken: _t, ...rest }: SessionState): LiveSession => rest;
    const open = [...this.#sessions.values()].reverse().map(view);
    const closed = this.#closed.toArray().reverse().map(view);
    return {
      time: now,
      since: this.since,
      bucketSeconds: this.#series.bucketSeconds,
      totals: {
        sessions: this.#sessions.size,
        inflight: this.#inflight,
        requests: this.#requests,
        errors: this.#errors,
        rate: this.#series.rate(now),
        framesDropped: this.#dropped,
      },
      sessions: [...open, ...closed].slice(0, options.maxSessions ?? 200),
      backends: this.#backends.snapshot(),
      inflight,
      slowest: [...this.#slowest],
      series: this.#series.snapshot(now),
    };
  }

  #route(method: string, target: string | undefined): { server: string; target?: string | undefined } {
    return this.#o.route ? this.#o.route(method, target) : { server: this.#server, target };
  }

  #frame(
    now: number,
    session: string,
    server: string,
    direction: 'in' | 'out',
    kind: LiveFrame['kind'],
    message: JSONRPCMessage,
    always = false,
  ): LiveFrame {
    const frame: LiveFrame = { seq: ++this.#seq, time: now, session, server, direction, kind };
    if (always || this.#previewAllowed(now)) {
      const preview = framePreview(message);
      if (preview !== undefined) frame.preview = preview;
    }
    return frame;
  }

  #previewAllowed(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.#previewSecond) {
      this.#previewSecond = second;
      this.#previewsLeft = this.#o.previewsPerSecond ?? 500;
    }
    if (this.#previewsLeft <= 0) {
      this.#dropped++;
      return false;
    }
    this.#previewsLeft--;
    return true;
  }

  #requestIn(
    s: SessionState,
    message: JSONRPCMessage & { id: RequestId; method: string },
    routed: { server: string; target?: string | undefined },
    now: number,
    authInfo: AuthInfo | undefined,
  ): void {
    s.requests++;
    this.#requests++;
    if (s.principal === undefined) {
      const principal = principalOf(authInfo);
      if (principal !== undefined) s.principal = principal;
    }
    if (s.era === undefined) this.#learnClient(s, message);
    if (this.#inflight >= (this.#o.maxInflight ?? 10_000) || s.pending.has(message.id)) return;
    const token = (message.params as MessageParams | undefined)?._meta?.progressToken;
    const pending: Pending = {
      id: message.id,
      method: message.method,
      target: routed.target,
      server: routed.server,
      startedAt: now,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
    };
    s.pending.set(message.id, pending);
    if (pending.progressToken !== undefined) s.byToken.set(pending.progressToken, pending);
    s.inflight++;
    this.#inflight++;
  }

  #learnClient(s: SessionState, message: JSONRPCMessage & { method: string }): void {
    const p = message.params as MessageParams | undefined;
    const meta = p?._meta;
    const info = (message.method === 'initialize' ? p?.clientInfo : meta?.[META_CLIENT]) as
      { name?: unknown; version?: unknown } | undefined;
    if (typeof info?.name === 'string') s.clientName = info.name.slice(0, 100);
    if (typeof info?.version === 'string') s.clientVersion = info.version.slice(0, 50);
    if (message.method === 'initialize') {
      s.era = '2025';
      if (typeof p?.protocolVersion === 'string') s.protocolVersion = p.protocolVersion.slice(0, 20);
    } else if (typeof meta?.[META_VERSION] === 'string') {
      s.era = '2026';
      s.protocolVersion = meta[META_VERSION].slice(0, 20);
    }
  }

  #answered(
    s: SessionState,
    p: Pending,
    message: JSONRPCMessage,
    error: string | undefined,
    now: number,
  ): void {
    s.pending.delete(p.id);
    if (p.progressToken !== undefined && s.byToken.get(p.progressToken) === p)
      s.byToken.delete(p.progressToken);
    s.inflight--;
    this.#inflight--;
    if (error !== undefined) {
      s.errors++;
      this.#errors++;
    }
    if (p.method === 'initialize' && 'result' in message) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') s.protocolVersion = version.slice(0, 20);
    }
    const ms = now - p.startedAt;
    this.#series.record(p.server, p.method, p.target, ms, error !== undefined, now);
    this.#noteSlow({
      session: s.id,
      server: p.server,
      method: p.method,
      ...(p.target !== undefined ? { target: p.target } : {}),
      durationMs: ms,
      time: now,
      ...(error !== undefined ? { error } : {}),
    });
  }

  #noteSlow(call: LiveCall): void {
    const max = this.#o.slowest ?? 20;
    const list = this.#slowest;
    if (list.length >= max && call.durationMs <= (list[list.length - 1] as LiveCall).durationMs) return;
    list.push(call);
    list.sort((a, b) => b.durationMs - a.durationMs);
    if (list.length > max) list.length = max;
  }

  #notification(s: SessionState, direction: 'in' | 'out', message: JSONRPCMessage): void {
    const p = message.params as MessageParams | undefined;
    if (direction === 'out' && message.method === 'notifications/progress') {
      const token = p?.progressToken;
      const pending =
        typeof token === 'string' || typeof token === 'number' ? s.byToken.get(token) : undefined;
      if (pending !== undefined && typeof p?.progress === 'number') {
        pending.progress = {
          progress: p.progress,
          ...(typeof p.total === 'number' ? { total: p.total } : {}),
          ...(typeof p.message === 'string' ? { message: p.message.slice(0, 200) } : {}),
        };
      }
    } else if (direction === 'in' && message.method === 'notifications/cancelled') {
      const id = p?.requestId;
      const pending = typeof id === 'string' || typeof id === 'number' ? s.pending.get(id) : undefined;
      if (pending !== undefined) {
        s.pending.delete(pending.id);
        if (pending.progressToken !== undefined) s.byToken.delete(pending.progressToken);
        s.inflight--;
        this.#inflight--;
      }
    }
  }
}
