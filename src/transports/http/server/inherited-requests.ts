import { isRequest, type JSONRPCMessage, type RequestId } from '../../../protocol/messages.js';
import type { SessionStream } from './session-stream.js';

/**
 * The in-flight requests a session inherited from an owner that died, each with the stream it belongs
 * to and the JSON text it was journaled with.
 *
 * A client whose POST died with its instance before any event reached it holds no event id, so it
 * cannot resume with `Last-Event-ID`: what it can do — or a balancer that retries for it — is send the
 * same POST again. The journal was written before the dead owner sent any header, so the new owner
 * already counts those requests as in flight; a POST repeating exactly the requests of one inherited
 * stream, text for text, resumes that stream (the events stored so far, then the answers as they come)
 * instead of being refused as a duplicate id. Anything else under an inherited id is refused as before:
 * a different text is another request, not a repetition.
 */
export class InheritedRequests {
  readonly #byId = new Map<RequestId, { stream: SessionStream; text: string | undefined }>();

  /** Records an inherited request (`text`: as journaled, `undefined` when it was too long to keep). */
  note(id: RequestId, stream: SessionStream, text: string | undefined): void {
    this.#byId.set(id, { stream, text });
  }

  /**
   * The inherited stream that `messages` repeat: every message a request of it with the text it was
   * journaled with, all its requests still due, and no connection attached to it. `undefined` otherwise.
   *
   * @param inFlight - the session's requests in flight, by id (an inherited id answered since, or used
   *   again by a new request, is dropped here)
   * @param textOf - a request's text as the journal writes it
   */
  repeated(
    messages: readonly JSONRPCMessage[],
    inFlight: ReadonlyMap<RequestId, SessionStream>,
    textOf: (message: JSONRPCMessage) => string | undefined,
  ): SessionStream | undefined {
    if (this.#byId.size === 0) return undefined;
    let stream: SessionStream | undefined;
    let count = 0;
    for (const m of messages) {
      if (!isRequest(m)) return undefined;
      const entry = this.#byId.get(m.id);
      if (entry === undefined) return undefined;
      if (inFlight.get(m.id) !== entry.stream) {
        this.#byId.delete(m.id);
        return undefined;
      }
      if (stream !== undefined && entry.stream !== stream) return undefined;
      if (entry.text === undefined || entry.text !== textOf(m)) return undefined;
      stream = entry.stream;
      count++;
    }
    if (stream === undefined || count !== stream.pending.length) return undefined;
    if (stream.attached || stream.json !== undefined) return undefined;
    return stream;
  }
}
