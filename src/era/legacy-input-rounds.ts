import { SwitchboardError } from '../errors.js';
import {
  errorResponse,
  type JSONRPCErrorObject,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageParams,
  type RequestId,
} from '../protocol/messages.js';
import type { MessageExtraInfo } from '../transport.js';
import { INPUT_REQUEST_METHODS, toLegacyResult } from './era-meta.js';
import type { Bridged, BridgedTable } from './legacy-bridged.js';

/** What the input rounds need from their stage. */
export interface InputRoundsLink {
  /** Sends a bridged request again, under a fresh backend id, with these params. */
  dispatch(bridged: Bridged, params: MessageParams): Promise<void>;
  /** Hands a message to the 2025 client. */
  deliver(message: JSONRPCMessage, extra?: MessageExtraInfo): void;
  /** Answers the client's request with an error (asynchronously). */
  fail(clientId: RequestId, error: unknown): void;
  /** Ends a bridged request: its 2026 request and its input requests are cancelled. */
  abandon(bridged: Bridged): void;
}

/**
 * MRTR unwrapped for a 2025 client: an `input_required` result becomes the matching 2025 server→client
 * requests (elicitation, sampling, roots); once the client answered them all, their answers go back as
 * `inputResponses` with the server's `requestState`, and the retry's result answers the original request.
 */
export class InputRounds {
  readonly #table: BridgedTable;
  readonly #link: InputRoundsLink;
  readonly #maxRounds: number;

  /**
   * @param table - the stage's bridged requests
   * @param link - the stage's side
   * @param maxRounds - most `input_required` rounds for one request before it fails
   */
  constructor(table: BridgedTable, link: InputRoundsLink, maxRounds: number) {
    this.#table = table;
    this.#link = link;
    this.#maxRounds = maxRounds;
  }

  /** The backend answered `bridged` with `input_required`: asks the client, or fails the request. */
  required(bridged: Bridged, result: Record<string, unknown>): void {
    bridged.round++;
    bridged.requestState = typeof result.requestState === 'string' ? result.requestState : undefined;
    const requests = result.inputRequests;
    const entries =
      typeof requests === 'object' && requests !== null
        ? Object.entries(requests as Record<string, unknown>)
        : [];
    if (bridged.round > this.#maxRounds) {
      this.#link.abandon(bridged);
      this.#link.fail(
        bridged.clientId,
        new SwitchboardError('INTERNAL', `The server asked for input more than ${this.#maxRounds} times`),
      );
      return;
    }
    for (const [, value] of entries) {
      const method = (value as { method?: unknown } | null)?.method;
      if (typeof method !== 'string' || !INPUT_REQUEST_METHODS.has(method)) {
        this.#link.abandon(bridged);
        this.#link.fail(
          bridged.clientId,
          new SwitchboardError(
            'INVALID_MESSAGE',
            `The server asked for an unknown kind of input: ${String(method)}`,
          ),
        );
        return;
      }
    }
    if (entries.length === 0) {
      void this.#retry(bridged);
      return;
    }
    for (const [key, value] of entries) {
      const { method, params } = value as { method: string; params?: MessageParams };
      const request: JSONRPCRequest = { jsonrpc: '2.0', id: this.#table.addInput(bridged, key), method };
      if (params !== undefined) request.params = params;
      // The related request tells a shared backend exactly which session must answer.
      this.#link.deliver(request, { relatedRequestId: bridged.clientId });
    }
  }

  /**
   * A response of the 2025 client: the answer to one of the input requests (the request is retried once
   * the round is complete), or to nothing asked (late, or after a cancel), which is dropped.
   */
  answer(message: JSONRPCMessage & { id?: RequestId | undefined }): Promise<void> {
    const entry = this.#table.takeInput(message.id);
    if (entry === undefined) return Promise.resolve();
    const { bridged, key } = entry;
    // The request ended meanwhile (the backend failed it): nothing to retry.
    if (!this.#table.alive(bridged)) return Promise.resolve();
    if ('error' in message) {
      const error = (message as { error: JSONRPCErrorObject }).error;
      this.#link.abandon(bridged);
      const refused: JSONRPCErrorObject = {
        code: error.code,
        message: `The client refused the server's input request: ${error.message}`,
      };
      if (error.data !== undefined) refused.data = error.data;
      queueMicrotask(() => this.#link.deliver(errorResponse(bridged.clientId, refused)));
      return Promise.resolve();
    }
    (bridged.responses ??= {})[key] = toLegacyResult((message as { result: Record<string, unknown> }).result);
    if (bridged.outstanding !== undefined && bridged.outstanding.size > 0) return Promise.resolve();
    return this.#retry(bridged);
  }

  #retry(bridged: Bridged): Promise<void> {
    const params: MessageParams = Object.assign({}, bridged.params);
    params.inputResponses = bridged.responses ?? {};
    if (bridged.requestState !== undefined) params.requestState = bridged.requestState;
    bridged.responses = undefined;
    return this.#link.dispatch(bridged, params);
  }
}
