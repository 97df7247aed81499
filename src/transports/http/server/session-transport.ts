import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { toSwitchboardError } from '../../../errors.js';
import {
  paramOf,
  plainMessage,
  progressTokenOf,
  rawEncodingOf,
  type RawEncoding,
} from '../../../framing/frame-message.js';
import { RAW_FRAMES, RAW_WRITES } from '../../../framing/raw-frame-mode.js';
import { JsonRpcCode } from '../../../protocol/json-rpc-codes.js';
import { isRequest, isResponse, type JSONRPCMessage, type RequestId } from '../../../protocol/messages.js';
import type { AuthInfo, MessageExtraInfo, Transport, TransportSendOptions } from '../../../transport.js';
import { McpHeader } from '../shared/headers.js';
import { encodeSseEvent, encodeSsePriming } from '../shared/sse-encoding.js';
import type { Acceptable } from './content-negotiation.js';
import { EPOCH_SPAN, formatEventId, parseEventId, type EventStore } from './event-store.js';
import { asChunk, replyEmpty, replyError, replyJson, SESSION_NOT_FOUND_CODE } from './http-reply.js';
import type { ResponseMode } from './options.js';
import { InheritedRequests } from './inherited-requests.js';
import { SessionStream } from './session-stream.js';
import { replayStream } from './stream-replay.js';
import { RESOLVED, SseWriter, type SseWriterOptions } from './sse-writer.js';
import { InboundGate } from './inbound-gate.js';
import { StreamRetirement } from './stream-retirement.js';
import {
  MAX_JOURNALED_REQUEST_CHARS,
  type PendingRequest,
  type SessionJournal,
  type SessionSnapshot,
} from './session-directory.js';
import { InternalRequests } from './internal-requests.js';
import { resumeTakenOver, type OrphanedCall, type TakenOverSession } from './takeover-calls.js';

/** Listener-wide facilities a session uses. */
export interface SessionContext {
  store: EventStore | undefined;
  sse: SseWriterOptions;
  retryMs: number;
  responseMode: ResponseMode;
  /** Bound on messages queued before `start()`. */
  maxQueuedBeforeStart: number;
  /** Called once when the session ends, whoever ended it. */
  onEnded: (session: SessionTransport) => void;
  /** Shared session state (several instances), when configured. */
  journal?: SessionJournal | undefined;
  /** `true` while the listener shuts down: sessions are left for another instance, not ended. */
  detaching?: (() => boolean) | undefined;
}

/** One POST handed to a session by the HTTP layer. */
export interface SessionPost {
  res: ServerResponse;
  /** Validated messages (more than one only for a 2025-03-26 batch). */
  messages: JSONRPCMessage[];
  batch: boolean;
  accept: Acceptable;
  extra: MessageExtraInfo;
}

/** The first revision whose clients accept the empty-data priming event (SEP-1699). */
const PRIMING_SINCE = '2025-11-25';

/** A message ready to write: JSON text, or the bytes it arrived as (a framed message sent on unchanged). */
type Encoded = string | RawEncoding;

function encode(message: JSONRPCMessage): Encoded {
  const raw = rawEncodingOf(message);
  // An SSE `data:` field is one line: a frame with a line break inside goes as JSON text.
  return raw?.singleLine === true ? raw : JSON.stringify(message);
}

function asText(encoded: Encoded): string {
  return typeof encoded === 'string'
    ? encoded
    : Buffer.concat(encoded.parts, encoded.byteLength).toString('utf8');
}

/** A request's JSON text for the journal, unless it is too long to keep. */
function journalText(message: JSONRPCMessage): string | undefined {
  const raw = rawEncodingOf(message);
  if (raw !== undefined && raw.byteLength > MAX_JOURNALED_REQUEST_CHARS) return undefined;
  const text = raw !== undefined ? asText(raw) : JSON.stringify(message);
  return text.length <= MAX_JOURNALED_REQUEST_CHARS ? text : undefined;
}

/** One SSE event carrying an encoded message. */
function sseEvent(encoded: Encoded, id: string | undefined): string | (string | Buffer)[] {
  if (typeof encoded === 'string') return encodeSseEvent(encoded, id);
  const head = id === undefined ? 'event: message\ndata: ' : `id: ${id}\nevent: message\ndata: `;
  // A small frame as text: the event is one string, one write.
  const text = encoded.parts.length === 1 ? asChunk(encoded.parts[0] as Buffer) : undefined;
  if (typeof text === 'string') return head + text + '\n\n';
  return [head, ...encoded.parts, '\n\n'];
}

function noop(): void {
  // Connection loss is not a send failure: the event is stored for resumption, or it is lost with
  // its stream (which the spec allows; disconnection is not cancellation).
}

/**
 * The server side of one 2025-era Streamable HTTP session (`Mcp-Session-Id`), handed to
 * `onConnection` as one {@link Transport}.
 *
 * Routing of what the server sends (never broadcast):
 * - a response goes to the stream of the POST that carried its request;
 * - a request or notification with `relatedRequestId` goes to that request's stream while the stream can
 *   carry it (an SSE connection is attached, a JSON-mode POST can still be upgraded to SSE, or the stream
 *   is resumable), else to the standalone GET stream;
 * - anything else goes to the standalone GET stream (stored while no GET is open, or dropped when there
 *   is no event store). A GET without `Last-Event-ID` first receives the stored standalone events that
 *   were never written to any connection (e.g. sent before the client's first GET arrived).
 *
 * Client disconnection is not cancellation in this era: the request keeps running and its events are
 * stored for a `Last-Event-ID` resumption.
 */
export class SessionTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  /** The `Mcp-Session-Id` of this session. */
  readonly sessionId: string;
  /** Always `'session'` (the 2025 era); lets consumers tell the HTTP transports apart. */
  readonly era = 'session' as const;
  /** The `clientId` of the authenticated caller that opened the session, if any. */
  readonly owner: string | undefined;

  readonly #ctx: SessionContext;
  readonly #sse: SseWriterOptions;
  readonly #headers: OutgoingHttpHeaders;
  readonly #gate: InboundGate;
  readonly #byRequest = new Map<RequestId, SessionStream>();
  readonly #byToken = new Map<string | number, SessionStream>();
  readonly #streams = new Map<number, SessionStream>();
  readonly #standalone = new SessionStream(0);
  #nextStream = 1;
  #protocolVersion: string | undefined;
  #initRequestId: RequestId | undefined;
  #lastActivity = Date.now();
  /** Deliver framed messages as they are (our relay asked); otherwise plain parsed ones. */
  #rawFrames = false;
  /** With a journal that tracks it: tells it a request reached a backend that keeps it (`extra.onForwarded`). */
  readonly #forwarded: ((id: RequestId) => void) | undefined;
  /** After a takeover: requests this session sends its backend itself. */
  #internal: InternalRequests | undefined;
  /** After a takeover: in-flight requests of the dead owner that no backend will answer by itself. */
  #orphans: OrphanedCall[] | undefined;
  /** After a takeover: the requests inherited in flight, which the client may send again. */
  #inherited: InheritedRequests | undefined;

  /** @internal Created by the HTTP listener. */
  constructor(sessionId: string, owner: string | undefined, ctx: SessionContext) {
    this.sessionId = sessionId;
    this.owner = owner;
    this.#ctx = ctx;
    this.#retirement = ctx.store ? new StreamRetirement(sessionId, ctx.store, this.#report) : undefined;
    this.#gate = new InboundGate(ctx.maxQueuedBeforeStart, (m, extra) => this.#handOver(m, extra));
    this.#sse = { ...ctx.sse, onFailure: this.#report };
    this.#headers = { [McpHeader.sessionId]: sessionId };
    const journal = ctx.journal;
    this.#forwarded =
      journal?.requestForwarded !== undefined ? (id) => journal.requestForwarded?.(sessionId, id) : undefined;
  }

  /** The negotiated protocol revision (from the initialize exchange or `setProtocolVersion`). */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#gate.closed;
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  start(): Promise<void> {
    return this.#gate.start();
  }

  /** Framed messages are written as their bytes (JSON bodies and SSE events). */
  [RAW_WRITES](): boolean {
    return true;
  }

  /** Raw-frame mode (for our relay): deliver framed messages from now on. */
  [RAW_FRAMES](): void {
    this.#rawFrames = true;
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const refusal = this.#gate.sendRefusal('Session closed');
    if (refusal) return Promise.reject(refusal);
    const json = encode(message);
    if (isResponse(message) && message.id !== undefined) {
      const id = message.id;
      if (this.#internal?.settle(id, message) === true) return RESOLVED;
      if (id === this.#initRequestId) this.#noteInitializeResult(message);
      const stream = this.#byRequest.get(id);
      // Unknown id: its POST's client went away in JSON mode, or the session was reset. Dropped.
      if (stream === undefined) return RESOLVED;
      this.#byRequest.delete(id);
      stream.settle(id);
      const sent = this.#answer(stream, json);
      // Out of the journal only after the answer was handed to the event store (same Redis connection,
      // so in that order): an instance that sees the request done finds its answer stored.
      this.#ctx.journal?.requestDone(this.sessionId, id);
      if (stream.pending.length === 0) this.#finish(stream);
      return sent;
    }
    const related = options?.relatedRequestId;
    let stream = related === undefined ? undefined : this.#byRequest.get(related);
    // A raw relay (a proxy) gives no related id; progress still names its request by token.
    if (stream === undefined && message.method === 'notifications/progress') {
      const token = paramOf(message, 'progressToken');
      if (typeof token === 'string' || typeof token === 'number') stream = this.#byToken.get(token);
    }
    if (stream !== undefined && this.#canCarry(stream)) return this.#emit(stream, json);
    return this.#emit(this.#standalone, json);
  }

  close(): Promise<void> {
    if (!this.#gate.close()) return RESOLVED;
    const streams = [this.#standalone, ...this.#streams.values()];
    this.#streams.clear();
    this.#byRequest.clear();
    this.#byToken.clear();
    this.#internal?.abandon();
    for (const s of streams) {
      s.done = true;
      s.writer?.end();
      const res = this.#liveJson(s);
      if (res) replyError(res, 404, SESSION_NOT_FOUND_CODE, 'Session terminated');
      s.json = undefined;
    }
    // A listener shutting down leaves shared sessions (and their events) for another instance.
    if (this.#ctx.detaching?.() !== true) {
      this.#ctx.store?.dropSession(this.sessionId)?.catch(this.#report);
      this.#ctx.journal?.ended(this.sessionId);
    }
    try {
      this.#ctx.onEnded(this);
    } finally {
      try {
        this.onclose?.();
      } catch (error) {
        this.#report(toSwitchboardError(error));
      }
    }
    return RESOLVED;
  }

  /**
   * When the session became idle (no open stream, no request in flight), or `undefined` while busy.
   * @internal
   */
  idleSince(): number | undefined {
    if (this.#byRequest.size > 0 || this.#standalone.attached) return undefined;
    return this.#lastActivity;
  }

  /** `true` when the request queue before `start()` is full. @internal */
  get saturated(): boolean {
    return this.#gate.saturated;
  }

  /**
   * Takes one POST: delivers its messages and answers it (202, JSON, or an SSE stream).
   * @internal Called by the HTTP layer after validation.
   */
  handlePost(post: SessionPost): void {
    this.#lastActivity = Date.now();
    // After a takeover: the very POST the client lost with the dead owner, before any event reached it.
    const repeated =
      post.accept.sse && this.#ctx.store !== undefined
        ? this.#inherited?.repeated(post.messages, this.#byRequest, journalText)
        : undefined;
    if (repeated !== undefined) return this.#resume(repeated, post.res, 0, true);
    let stream: SessionStream | undefined;
    for (const m of post.messages) {
      if (!isRequest(m)) continue;
      if (this.#byRequest.has(m.id) || stream?.pending.includes(m.id) === true) {
        replyError(
          post.res,
          409,
          JsonRpcCode.InvalidRequest,
          `Request id ${JSON.stringify(m.id)} is already in flight`,
        );
        return;
      }
      stream ??= new SessionStream(this.#nextStream++);
      stream.pending.push(m.id);
      const token = progressTokenOf(m);
      if (token !== undefined) (stream.tokens ??= []).push(token);
      if (m.method === 'initialize') {
        this.#noteInitializeRequest(m.id, m.params?.protocolVersion);
        // The spec puts the session id on the response carrying the InitializeResult.
        stream.headers = this.#headers;
      }
    }
    if (stream === undefined) {
      for (const m of post.messages) {
        if (m.method === 'notifications/initialized') {
          this.#ctx.journal?.initialized(this.sessionId, this.#protocolVersion);
        }
        this.#deliver(m, post.extra);
      }
      replyEmpty(post.res, 202);
      return;
    }
    const s = stream;
    const journal = this.#ctx.journal;
    // With shared state the stream's headers wait for its journal entry: whoever holds one of its
    // event ids can resume it at any instance that takes the session over. Its requests go to the
    // backend meanwhile; a JSON answer needs no wait (no event id, nothing to resume).
    if (journal !== undefined) s.journaled = this.#journalPost(journal, s, post.messages);
    for (const id of s.pending) this.#byRequest.set(id, s);
    if (s.tokens) for (const token of s.tokens) this.#byToken.set(token, s);
    this.#streams.set(s.id, s);
    s.acceptsSse = post.accept.sse;
    if (post.accept.sse && (this.#ctx.responseMode === 'sse' || !post.accept.json)) {
      this.#attach(s, post.res, this.#priming(s), s.journaled);
    } else {
      // A client that goes away is noticed when its answer or a related message is due (see
      // #liveJson), not through a 'close' listener on every response.
      s.json = post.res;
      if (post.batch) s.jsonBatch = [];
    }
    // The extra was built for this POST alone: completing it in place saves a copy per request.
    const extra = post.extra;
    extra.closeSSEStream = () => this.#disconnect(s);
    extra.closeStandaloneSSEStream = this.#closeStandalone;
    if (this.#forwarded !== undefined) extra.onForwarded = this.#forwarded;
    for (const m of post.messages) this.#deliver(m, extra);
  }

  /**
   * Takes a GET: opens the standalone stream (409 when one is already open), or resumes the stream a
   * `Last-Event-ID` names, replaying only that stream's events after it.
   * @internal
   */
  handleGet(res: ServerResponse, lastEventId: string | undefined): void {
    this.#lastActivity = Date.now();
    const cursor = lastEventId !== undefined && this.#ctx.store ? parseEventId(lastEventId) : undefined;
    if (cursor !== undefined) {
      if (cursor.streamId === 0) return this.#resume(this.#standalone, res, cursor.seq, true);
      const live = this.#streams.get(cursor.streamId);
      if (live !== undefined) return this.#resume(live, res, cursor.seq, true);
      return this.#resumeEnded(cursor.streamId, cursor.seq, res, lastEventId as string);
    }
    if (this.#standalone.attached) {
      replyError(
        res,
        409,
        JsonRpcCode.InvalidRequest,
        'Conflict: only one standalone SSE stream is allowed per session',
      );
      return;
    }
    const standalone = this.#standalone;
    // Messages sent while no GET was open and never written anywhere: deliver them now, in order.
    if (this.#ctx.store && standalone.seq > standalone.sentSeq && !standalone.replaying) {
      return this.#resume(standalone, res, standalone.sentSeq, true);
    }
    this.#attach(standalone, res, this.#priming(standalone));
  }

  /** Journals the requests of a POST; settles once they are durable (`undefined`: nothing to wait for). */
  #journalPost(
    journal: SessionJournal,
    stream: SessionStream,
    messages: JSONRPCMessage[],
  ): Promise<void> | undefined {
    let durable: Promise<void> | undefined;
    for (const m of messages) {
      if (!isRequest(m)) continue;
      const initialize = m.method === 'initialize';
      if (initialize) journal.opened(this.sessionId, this.owner, JSON.stringify(m));
      // Entries are written in order on one connection: the last one settling means all are durable.
      durable =
        journal.requestStarted(this.sessionId, {
          id: m.id,
          method: m.method,
          streamId: stream.id,
          progressToken: progressTokenOf(m),
          // The text lets a new owner run it again; `initialize` is kept with the session already.
          message: initialize ? undefined : journalText(m),
        }) ?? durable;
    }
    return durable;
  }

  /**
   * `Last-Event-ID` names a stream that is not live here: replay its stored events and end, or — when
   * none are stored (it finished and its events expired, or no owner of the session ever opened it) —
   * refuse with 400, so the client learns the stream cannot be resumed instead of waiting on nothing.
   */
  #resumeEnded(streamId: number, seq: number, res: ServerResponse, lastEventId: string): void {
    const store = this.#ctx.store as EventStore;
    const go = (known: boolean): void => {
      if (this.closed) {
        replyError(res, 404, SESSION_NOT_FOUND_CODE, 'Session not found');
        return;
      }
      if (known) {
        this.#resume(new SessionStream(streamId), res, seq, false);
        return;
      }
      replyError(
        res,
        400,
        JsonRpcCode.InvalidRequest,
        `Bad Request: Last-Event-ID ${lastEventId} names stream ${streamId}, which this session cannot resume (it ended and its events expired, or it never existed)`,
      );
    };
    const known = store.hasStream?.(this.sessionId, streamId) ?? true;
    if (typeof known === 'boolean') {
      go(known);
      return;
    }
    known.then(go, (error: unknown) => {
      this.#report(toSwitchboardError(error));
      go(true);
    });
  }

  /**
   * Takes over a session another instance held (it died): its protocol version, its streams with the
   * requests still in flight, and numbering from the new owner epoch — stream numbers no earlier owner
   * used, and events on inherited streams above every id an earlier owner may have handed out.
   *
   * @returns the requests whose answers the backend still delivers (they reached a backend that keeps
   *   them); the others are settled by {@link resumeAfterTakeover}
   * @internal Called by the HTTP layer before `onConnection`.
   */
  restore(snapshot: SessionSnapshot): PendingRequest[] {
    this.#protocolVersion = snapshot.protocolVersion;
    const base = snapshot.epoch * EPOCH_SPAN;
    this.#nextStream = base + 1;
    this.#standalone.seq = Math.max(snapshot.lastSeq[0] ?? 0, base);
    const waiting: PendingRequest[] = [];
    for (const p of snapshot.pending) {
      let stream = this.#streams.get(p.streamId);
      if (stream === undefined) {
        stream = new SessionStream(p.streamId);
        stream.seq = Math.max(snapshot.lastSeq[p.streamId] ?? 0, base);
        this.#streams.set(p.streamId, stream);
      }
      if (!stream.pending.includes(p.id)) stream.pending.push(p.id);
      this.#byRequest.set(p.id, stream);
      (this.#inherited ??= new InheritedRequests()).note(p.id, stream, p.message);
      if (p.progressToken !== undefined) {
        (stream.tokens ??= []).push(p.progressToken);
        this.#byToken.set(p.progressToken, stream);
      }
      if (p.forwarded === true) waiting.push(p);
      else (this.#orphans ??= []).push({ id: p.id, method: p.method, message: p.message });
    }
    return waiting;
  }

  /**
   * After {@link restore} and `onConnection`: replays the client's `initialize` (and
   * `notifications/initialized`) to the backend — the answer stays here, or answers the client's own
   * `initialize` if that was still in flight — then settles the requests no backend will answer by
   * itself: run again where safe, else answered with an `INSTANCE_LOST` error.
   *
   * @param authInfo - the caller's credentials (bound to the session), passed with requests run again
   * @internal
   */
  resumeAfterTakeover(
    snapshot: SessionSnapshot,
    options: { rerunUnsafe: boolean; authInfo: AuthInfo | undefined },
  ): Promise<void> {
    const orphans = this.#orphans ?? [];
    this.#orphans = undefined;
    const gate = this.#gate;
    const host: TakenOverSession = {
      closed: () => this.closed,
      deliver: (message, extra) => gate.receive(message, extra),
      send: (message) => this.send(message),
      internal: (this.#internal ??= new InternalRequests((r) => gate.receive(r, undefined))),
    };
    return resumeTakenOver(host, snapshot, orphans, { ...options, onForwarded: this.#forwarded });
  }

  /** Drops finished streams' stored events once they cannot be resumed any more (with a store). */
  readonly #retirement: StreamRetirement | undefined;

  #deliver(message: JSONRPCMessage, extra: MessageExtraInfo): void {
    this.#gate.receive(message, extra);
  }

  #handOver(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    try {
      this.onmessage?.(this.#rawFrames ? message : plainMessage(message), extra);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  #noteInitializeRequest(id: RequestId, requested: unknown): void {
    this.#initRequestId = id;
    if (typeof requested === 'string' && this.#protocolVersion === undefined)
      this.#protocolVersion = requested;
  }

  #noteInitializeResult(message: JSONRPCMessage): void {
    this.#initRequestId = undefined;
    const result = (message as { result?: { protocolVersion?: unknown } }).result;
    if (typeof result?.protocolVersion === 'string') this.#protocolVersion = result.protocolVersion;
  }

  /** The priming event for a new connection of `stream`, when resumability applies to this client. */
  #priming(stream: SessionStream): string | undefined {
    const store = this.#ctx.store;
    if (!store || !this.#primes()) return undefined;
    const seq = ++stream.seq;
    // The standalone stream mints priming ids between its events: an empty marker records the id in
    // the store, so an instance taking the session over numbers on above it (replays skip markers).
    if (stream.id === 0) store.append(this.sessionId, 0, seq, '')?.catch(this.#report);
    return encodeSsePriming(formatEventId(stream.id, seq), this.#ctx.retryMs);
  }

  /** Whether this client's connections start with a priming event (needs an event store). */
  #primes(): boolean {
    const version = this.#protocolVersion;
    return version !== undefined && version >= PRIMING_SINCE;
  }

  /** Attaches a new connection to `stream`; with `ready`, nothing reaches the client before it settles. */
  #attach(
    stream: SessionStream,
    res: ServerResponse,
    first: string | undefined,
    ready?: Promise<void>,
  ): SseWriter {
    const w = new SseWriter(res, this.#sse);
    stream.writer = w;
    w.onclose = () => {
      if (stream.writer === w) stream.writer = undefined;
      this.#lastActivity = Date.now();
    };
    if (ready === undefined) w.open(stream.headers, first);
    else w.openWhen(ready, stream.headers, first);
    return w;
  }

  /** Whether a message related to a request on `stream` can travel on that stream. */
  #canCarry(stream: SessionStream): boolean {
    if (stream.done) return false;
    if (stream.attached) return true;
    if (this.#liveJson(stream) !== undefined) {
      if (!stream.acceptsSse) return false;
      this.#upgrade(stream);
      return true;
    }
    // Detached: only worth it when the client can resume the stream to fetch it.
    return !stream.lost && this.#ctx.store !== undefined;
  }

  /**
   * The JSON-mode response of `stream` while its client is still connected; once the client went away
   * (the response was destroyed), the stream is marked lost: nothing can reach that client any more.
   */
  #liveJson(stream: SessionStream): ServerResponse | undefined {
    const res = stream.json;
    if (res === undefined || !res.destroyed) return res;
    stream.json = undefined;
    stream.lost = true;
    return undefined;
  }

  /** Turns a JSON-mode POST into an SSE stream (clients must accept both). */
  #upgrade(stream: SessionStream): void {
    const res = stream.json as ServerResponse;
    stream.json = undefined;
    const collected = stream.jsonBatch;
    stream.jsonBatch = undefined;
    this.#attach(stream, res, this.#priming(stream), stream.journaled);
    for (const json of collected ?? []) void this.#emit(stream, json);
  }

  /** Delivers a response on its stream. */
  #answer(stream: SessionStream, json: Encoded): Promise<void> {
    const res = this.#liveJson(stream);
    if (res === undefined)
      return stream.lost ? RESOLVED : this.#emit(stream, json, stream.pending.length === 0);
    if (stream.jsonBatch === undefined) {
      stream.json = undefined;
      replyJson(res, 200, json, stream.headers);
      return RESOLVED;
    }
    stream.jsonBatch.push(asText(json));
    if (stream.pending.length === 0) {
      stream.json = undefined;
      replyJson(res, 200, `[${stream.jsonBatch.join(',')}]`, stream.headers);
    }
    return RESOLVED;
  }

  /** Mints an event id (when resumable), stores the event, and writes it if a connection is attached. */
  #emit(stream: SessionStream, json: Encoded, last = false): Promise<void> {
    let id: string | undefined;
    const store = this.#ctx.store;
    if (store) {
      const seq = ++stream.seq;
      id = formatEventId(stream.id, seq);
      store.append(this.sessionId, stream.id, seq, asText(json))?.catch(this.#report);
    }
    const w = stream.writer;
    if (w === undefined || w.closed || stream.replaying) return RESOLVED;
    const chunk = sseEvent(json, id);
    if (id !== undefined) stream.sentSeq = stream.seq;
    if (last) {
      // The final answer and the end of the response in one write.
      w.end(chunk);
      return RESOLVED;
    }
    const written = w.write(chunk);
    return written === RESOLVED ? written : written.catch(noop);
  }

  /** All responses of a POST were sent: end its connection and forget it. */
  #finish(stream: SessionStream): void {
    stream.done = true;
    this.#streams.delete(stream.id);
    if (stream.tokens) {
      for (const token of stream.tokens) if (this.#byToken.get(token) === stream) this.#byToken.delete(token);
    }
    if (stream.replaying) return; // the replay ends the connection once it caught up
    // A writer still set means its connection did not drop (it may have just ended with the answer).
    const w = stream.writer;
    if (w === undefined) return;
    w.end();
    // Everything was written on a connection that looked alive; it may still have died unnoticed.
    if (w.failure === undefined) this.#retirement?.retire(stream.id);
  }

  /** SEP-1699 polling: close the connection of a stream without ending the stream. */
  #disconnect(stream: SessionStream): void {
    if (!stream.attached) return;
    (stream.writer as SseWriter).end();
  }

  readonly #closeStandalone = (): void => {
    this.#disconnect(this.#standalone);
  };

  /** Attaches `res` to `stream` and replays the stream's stored events after `afterSeq`. */
  #resume(stream: SessionStream, res: ServerResponse, afterSeq: number, live: boolean): void {
    stream.writer?.end(); // a resumption means the client considers the old connection dead
    const w = this.#attach(stream, res, undefined);
    const store = this.#ctx.store as EventStore;
    const retirement = this.#retirement as StreamRetirement;
    replayStream(stream, w, afterSeq, live, {
      sessionId: this.sessionId,
      store,
      report: this.#report,
      retire: (id) => retirement.retire(id),
    });
  }

  readonly #report = (error: Error): void => {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  };
}
