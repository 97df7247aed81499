import { toSwitchboardError } from '../../../errors.js';
import { encodeSseEvent } from '../shared/sse-encoding.js';
import { formatEventId, type EventStore, type StoredEvent } from './event-store.js';
import type { SessionStream } from './session-stream.js';
import type { SseWriter } from './sse-writer.js';

/** What a replay needs besides the stream and its new connection. */
export interface ReplayContext {
  sessionId: string;
  store: EventStore;
  report: (error: Error) => void;
  /** The stream finished and was written out: its events may go (after a retention period). */
  retire: (streamId: number) => void;
}

function noop(): void {
  // A replay write to a connection that died ends the replay at the next check of `closed`.
}

/**
 * Replays the stored events of `stream` after `afterSeq` onto its new connection `w`, then hands the
 * stream back to live writing (`stream.replaying` is `true` meanwhile, so live events are only stored
 * and nothing is sent twice or out of order). A stream that is no longer live (or finished meanwhile)
 * has its connection ended once the replay is written.
 */
export function replayStream(
  stream: SessionStream,
  w: SseWriter,
  afterSeq: number,
  live: boolean,
  ctx: ReplayContext,
): void {
  stream.replaying = true;
  // Every event minted so far was stored before this read; later ones may be missing from its result.
  const mintedBefore = stream.seq;
  const events = ctx.store.replay(ctx.sessionId, stream.id, afterSeq);
  if (Array.isArray(events)) {
    replayed(stream, w, events, afterSeq, live, mintedBefore, ctx);
    return;
  }
  events.then(
    (list) => replayed(stream, w, list, afterSeq, live, mintedBefore, ctx),
    (error: unknown) => {
      stream.replaying = false;
      ctx.report(toSwitchboardError(error));
      w.end();
    },
  );
}

function replayed(
  stream: SessionStream,
  w: SseWriter,
  events: StoredEvent[],
  afterSeq: number,
  live: boolean,
  mintedBefore: number,
  ctx: ReplayContext,
): void {
  let last = afterSeq;
  for (const e of events) {
    if (w.closed) break;
    // An empty entry only records a priming id handed out earlier: nothing to send.
    if (e.data !== '') w.write(encodeSseEvent(e.data, formatEventId(stream.id, e.seq))).catch(noop);
    last = e.seq;
    stream.sentSeq = Math.max(stream.sentSeq, e.seq);
  }
  // Events minted while an asynchronous store was read (the final answer, too: the stream may have
  // finished meanwhile) were stored but may be missing from the result: go again.
  if (!w.closed && stream.seq > mintedBefore) {
    replayStream(stream, w, last, live, ctx);
    return;
  }
  stream.replaying = false;
  if (!live || stream.done) {
    w.end();
    if (!w.failure) ctx.retire(stream.id);
  }
}
