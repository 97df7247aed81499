import type { JSONRPCMessage } from '../../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../transport.js';
import type { TransportMiddleware } from '../pipe.js';
import { TransportDecorator } from '../transport-decorator.js';
import type { TapRecorder } from './tap-recorder.js';

/** Options of {@link tap}. */
export interface TapOptions {
  /** Where frames go. */
  recorder: TapRecorder;
  /**
   * The session name written with each frame (default: the transport's `sessionId`, else `t1`, `t2`, …
   * in the order connections were wrapped).
   */
  session?: string | undefined;
}

let tapCounter = 0;

/**
 * Records every frame passing through the wrapped transport — direction, time, session — to a
 * {@link TapRecorder}. Wrap the transport that faces the *client* (`in` = what the client sent), so that
 * `switchboard replay` can replay the client's side against a backend and compare the answers.
 *
 * @param options - the recorder and the session name
 * @example
 * ```ts
 * const recorder = TapRecorder.open('session.jsonl');
 * await server.connect(pipe(new StdioServerTransport(), tap({ recorder })));
 * ```
 */
export function tap(options: TapOptions): TransportMiddleware {
  return (inner) =>
    new TapTransport(inner, options.recorder, options.session ?? inner.sessionId ?? `t${++tapCounter}`);
}

class TapTransport extends TransportDecorator {
  readonly #recorder: TapRecorder;
  readonly #session: string;

  constructor(inner: Transport, recorder: TapRecorder, session: string) {
    super(inner);
    this.#recorder = recorder;
    this.#session = session;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.#recorder.record(this.#session, 'out', message);
    return this.inner.send(message, options);
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.#recorder.record(this.#session, 'in', message);
    this.deliver(message, extra);
  }
}
