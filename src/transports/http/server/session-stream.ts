import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestId } from '../../../protocol/messages.js';
import type { SseWriter } from './sse-writer.js';

/**
 * One logical stream of a 2025-era session: the standalone GET stream (id 0) or the response stream of
 * one POST. A logical stream outlives its HTTP connection: while detached, its events are kept by the
 * event store, and a GET with `Last-Event-ID` re-attaches it to a new connection.
 */
export class SessionStream {
  /** Stream number, encoded in its event ids. */
  readonly id: number;
  /**
   * Requests of this POST whose response is still due (always empty for the standalone stream). An
   * array, not a Set: almost every POST carries one request, and this is allocated per POST.
   */
  readonly pending: RequestId[] = [];
  /** Progress tokens of those requests (lets progress be routed when the sender gives no related id). */
  tokens: (string | number)[] | undefined;
  /** Extra response headers: `Mcp-Session-Id` on the stream that carries the `initialize` answer. */
  headers: OutgoingHttpHeaders | undefined;
  /** Sequence number of the last event id minted on this stream. */
  seq = 0;
  /** Sequence number of the last event written to a connection (events after it were never sent). */
  sentSeq = 0;
  /** The attached SSE connection, if any. */
  writer: SseWriter | undefined;
  /** JSON mode: the HTTP response waiting for the answer (before any upgrade to SSE). */
  json: ServerResponse | undefined;
  /** JSON mode with a batch: the answers collected so far. */
  jsonBatch: string[] | undefined;
  /** The client accepts `text/event-stream` on this POST (a JSON-mode stream may be upgraded). */
  acceptsSse = true;
  /** A JSON-mode response whose client went away: nothing can reach that client any more. */
  lost = false;
  /** Stored events are being replayed onto `writer`; live events are only stored meanwhile. */
  replaying = false;
  /** All responses were sent. */
  done = false;
  /**
   * With shared session state: settles once the stream's requests are journaled. Its response headers
   * (and so any event id) do not reach the client before.
   */
  journaled: Promise<void> | undefined;

  constructor(id: number) {
    this.id = id;
  }

  /** Removes `id` from {@link pending}; `true` when it was there. */
  settle(id: RequestId): boolean {
    const p = this.pending;
    const i = p.indexOf(id);
    if (i === -1) return false;
    // Order does not matter here: swap with the last and drop it (no array allocated, unlike splice).
    p[i] = p[p.length - 1] as RequestId;
    p.pop();
    return true;
  }

  /** `true` when an open SSE connection is attached. */
  get attached(): boolean {
    return this.writer !== undefined && !this.writer.closed;
  }
}
