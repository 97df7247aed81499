/**
 * What a client transport carried, seen below the SDK: the progress notifications that reached the client
 * before the answer to the request that asked for them.
 *
 * The SDK Clients (v1 and v2) hand a notification to its handler a microtask late, while an answer is
 * handled at once and removes the request's progress handler. Progress that arrives in the same network
 * read as the answer (the server sends its last progress and the result back to back; on a loaded machine
 * a slow reader gets earlier ones in that read too) never reaches `onprogress`. Whether the relay delivered
 * every progress notification, in order and before the answer, is therefore asked of the wire.
 */
import {
  isNotification,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../../src/protocol/messages.js';
import type { Transport } from '../../src/transport.js';

type Token = string | number;

/** One call that asked for progress, across its input rounds. */
interface Call {
  /** Progress values that arrived before the call's answer. */
  progress: number[];
  answered: boolean;
}

export class ProgressTap {
  /** Request id → the call it belongs to. */
  readonly #callOf = new Map<RequestId, Call>();
  /** Progress token → the call it belongs to (each input round's retry has a token of its own). */
  readonly #byToken = new Map<Token, Call>();
  #last: Call | undefined;

  /** Taps `transport`, which a client has already connected (its `onmessage` is set). */
  constructor(transport: Transport) {
    const deliver = transport.onmessage;
    if (deliver === undefined) throw new Error('tap a transport after its client connected it');
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      this.#sent(message);
      return send(message, options);
    };
    transport.onmessage = (message, extra) => {
      this.#received(message);
      deliver.call(transport, message, extra);
    };
  }

  /** The last call that asked for progress: the values that reached the client before its answer. */
  lastCall(): { progress: number[]; answered: boolean } {
    const call = this.#last;
    return { progress: [...(call?.progress ?? [])], answered: call?.answered ?? false };
  }

  #sent(message: JSONRPCMessage): void {
    if (!isRequest(message)) return;
    const token = message.params?._meta?.progressToken;
    if (typeof token !== 'string' && typeof token !== 'number') return;
    // A retry of a 2026-07-28 input round (it carries the round's requestState) continues the last call.
    const retried = message.params?.requestState !== undefined ? this.#last : undefined;
    const call: Call = retried ?? { progress: [], answered: false };
    this.#callOf.set(message.id, call);
    this.#byToken.set(token, call);
    this.#last = call;
  }

  #received(message: JSONRPCMessage): void {
    if (isNotification(message)) {
      if (message.method !== 'notifications/progress') return;
      const params = message.params as { progressToken?: Token; progress?: number } | undefined;
      const call = params?.progressToken === undefined ? undefined : this.#byToken.get(params.progressToken);
      if (call !== undefined && !call.answered) call.progress.push(Number(params?.progress));
      return;
    }
    if (!isResponse(message) || message.id === undefined) return;
    const call = this.#callOf.get(message.id);
    if (call === undefined) return;
    this.#callOf.delete(message.id);
    // An input_required result is not the call's answer: the client retries.
    const result = (message as { result?: { resultType?: string } }).result;
    if (result?.resultType !== 'input_required') call.answered = true;
  }
}
