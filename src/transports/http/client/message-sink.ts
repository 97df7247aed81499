import { toJsonRpcError, type SwitchboardError } from '../../../errors.js';
import { parseFrame } from '../../../framing/frame-parser.js';
import {
  errorResponse,
  isResponse,
  type JSONRPCMessage,
  type RequestId,
} from '../../../protocol/messages.js';
import { answerFrameError } from '../../frame-error-policy.js';
import type { SseEvent } from './sse-stream-reader.js';

/** Where a {@link MessageSink} sends what it decoded. */
export interface SinkTarget {
  /** Hands a message to the SDK (`onmessage`). */
  deliver: (message: JSONRPCMessage) => void;
  /** Reports an out-of-band problem (`onerror`). */
  report: (error: Error) => void;
  /** Sends a message back to the server (the error answer to a broken server request). */
  reply: (message: JSONRPCMessage) => void;
}

/**
 * Turns response bodies and SSE events into delivered messages. A frame that is not valid JSON-RPC is
 * reported and, where its id can be recovered, answered (a broken server request gets an error reply;
 * a broken response fails its request locally) instead of leaving someone waiting.
 */
export class MessageSink {
  readonly #target: SinkTarget;

  constructor(target: SinkTarget) {
    this.#target = target;
  }

  /** Parses one JSON text and delivers it; `observe` sees every delivered message first. */
  frame(text: string, observe?: (message: JSONRPCMessage) => void): void {
    const deliver = (m: JSONRPCMessage): void => {
      observe?.(m);
      this.#target.deliver(m);
    };
    parseFrame(text, {
      onmessage: deliver,
      onerror: (error) => {
        this.#target.report(error);
        answerFrameError(error, { reply: this.#target.reply, deliver });
      },
    });
  }

  /**
   * One SSE event of a response or GET stream. Priming and keep-alive events (empty data) and other
   * event types are skipped. `replayId` re-addresses a response that arrives on a stream resumed for
   * another request id (`send(…, { resumptionToken })`).
   */
  event(event: SseEvent, observe?: (message: JSONRPCMessage) => void, replayId?: RequestId): void {
    if (event.event !== undefined && event.event !== 'message') return;
    if (event.data === '') return;
    this.frame(event.data, (m) => {
      if (replayId !== undefined && isResponse(m)) m.id = replayId;
      observe?.(m);
    });
  }

  /** Fails the request `id` locally with `error` (an error response delivered to the SDK). */
  fail(id: RequestId, error: SwitchboardError): void {
    this.#target.deliver(errorResponse(id, toJsonRpcError(error)));
  }

  report(error: Error): void {
    this.#target.report(error);
  }

  deliver(message: JSONRPCMessage): void {
    this.#target.deliver(message);
  }
}
