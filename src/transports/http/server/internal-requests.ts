import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '../../../protocol/messages.js';

/**
 * Requests a session sends to its own backend, as if its client had sent them (after a takeover: the
 * replayed `initialize`, a `tools/list` to learn which calls may run again). Their answers stay here:
 * {@link settle} consumes them before they would reach the client.
 */
export class InternalRequests {
  readonly #waiting = new Map<RequestId, (answer: JSONRPCMessage | undefined) => void>();
  readonly #deliver: (request: JSONRPCRequest) => void;

  /** @param deliver - hands a request to the backend (through the session's inbound path) */
  constructor(deliver: (request: JSONRPCRequest) => void) {
    this.#deliver = deliver;
  }

  /**
   * Sends `request` under `id`; resolves with its answer, or `undefined` after `timeoutMs` (or when
   * {@link abandon}ed). Never rejects.
   */
  ask(
    request: Omit<JSONRPCRequest, 'id'>,
    id: string,
    timeoutMs: number,
  ): Promise<JSONRPCMessage | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (answer: JSONRPCMessage | undefined): void => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(answer);
      };
      this.#waiting.set(id, finish);
      this.#deliver({ ...request, id } as JSONRPCRequest);
    });
  }

  /** `true` when `response` answers one of ours (it is consumed then). */
  settle(id: RequestId, response: JSONRPCMessage): boolean {
    const finish = this.#waiting.get(id);
    if (finish === undefined) return false;
    finish(response);
    return true;
  }

  /** The session closed: whoever waits gets `undefined`. */
  abandon(): void {
    for (const finish of [...this.#waiting.values()]) finish(undefined);
  }
}
