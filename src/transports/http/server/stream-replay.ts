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
  const events = ctx.store.replay(ctx.sessionId, stream.id, afterSeq);
  if (Array.isArray(events)) {
    replayed(stream, w, events, afterSeq, live, ctx);
    return;
  }
  events.then(
    (list) => replayed(stream, w, list, afterSeq, live, ctx),
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
  ctx: ReplayContext,
): void {
  let last = afterSeq;
  for (const e of events) {
    if (w.closed) break;
    w.write(encodeSseEvent(e.data, formatEventId(stream.id, e.seq))).catch(noop);
    last = e.seq;
    stream.sentSeq = Math.max(stream.sentSeq, e.seq);
  }
  // An asynchronous store may have missed events appended while it was replaying: go again.
  if (live && !w.closed && stream.seq > last && events.length > 0) {
    replayStream(stream, w, last, live, ctx);
    return;
  }
  stream.replaying = false;
  if (!live || stream.done) {
    w.end();
    if (!w.failure) ctx.store.dropStream(ctx.sessionId, stream.id)?.catch(ctx.report);
  }
}
