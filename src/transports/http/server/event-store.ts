/**
 * Storage of SSE events for resumable 2025-era Streamable HTTP streams.
 *
 * Event ids are minted by the transport as `<streamId>-<seq>` (unique within a session, encoding the
 * stream as the spec recommends); a store only keeps the payloads so that a client reconnecting with
 * `Last-Event-ID` gets exactly the events of *that* stream after that cursor.
 *
 * Methods may return a promise (a Redis or SQL store) or complete synchronously (the in-memory store,
 * which keeps the hot path free of promise allocations). An asynchronous store must apply `append`,
 * `replay` and the `drop*` calls in the order they were made.
 */
export interface EventStore {
  /**
   * Records event `seq` of stream `streamId` in session `sessionId`. Called in increasing `seq` order
   * per stream. A store may forget old events to stay within its bounds.
   *
   * @param data - the JSON-RPC message as JSON text
   */
  append(sessionId: string, streamId: number, seq: number, data: string): Promise<void> | undefined;
  /** The events of one stream with a sequence number above `afterSeq`, oldest first. */
  replay(sessionId: string, streamId: number, afterSeq: number): Promise<StoredEvent[]> | StoredEvent[];
  /** The stream ended and its client received everything: its events may be forgotten. */
  dropStream(sessionId: string, streamId: number): Promise<void> | undefined;
  /** The session ended: forget all its events. */
  dropSession(sessionId: string): Promise<void> | undefined;
  /**
   * Whether any event of the stream is stored (a resumption of a finished stream that has none gets a
   * clear refusal instead of an empty stream). Optional: without it, such a resumption is answered
   * with an empty stream that ends at once.
   */
  hasStream?(sessionId: string, streamId: number): Promise<boolean> | boolean;
}

/** One stored event. */
export interface StoredEvent {
  seq: number;
  data: string;
}

/** Formats an SSE event id: `<streamId>-<seq>`. */
export function formatEventId(streamId: number, seq: number): string {
  return `${streamId}-${seq}`;
}

/** Parses an id made by {@link formatEventId}; `undefined` for anything else. */
export function parseEventId(id: string): { streamId: number; seq: number } | undefined {
  const m = /^(\d{1,16})-(\d{1,16})$/.exec(id);
  if (!m?.[1] || !m[2]) return undefined;
  const streamId = Number(m[1]);
  const seq = Number(m[2]);
  return Number.isSafeInteger(streamId) && Number.isSafeInteger(seq) ? { streamId, seq } : undefined;
}

/**
 * Stream numbers (and event sequence numbers on streams inherited in a takeover) of one owner epoch
 * of a session. A session's creator is epoch 0 (streams 1, 2, …); each takeover by another instance
 * starts a new epoch, whose numbers begin at `epoch × EPOCH_SPAN`, so no two owners ever hand out
 * the same stream number, and an inherited stream's events continue above every id its previous
 * owners handed out, stored or not.
 */
export const EPOCH_SPAN = 10_000_000_000;

/** The highest epoch whose numbers stay safe integers. */
export const MAX_EPOCH = Math.floor(Number.MAX_SAFE_INTEGER / EPOCH_SPAN) - 1;
