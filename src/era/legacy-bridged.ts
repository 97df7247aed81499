import type { MessageParams, RequestId } from '../protocol/messages.js';

/** One 2025 request carried to the 2026-07-28 backend, across its `input_required` rounds. */
export interface Bridged {
  readonly clientId: RequestId;
  /** The id of its current 2026 request (a fresh one per round). */
  backendId: string;
  readonly method: string;
  /** The request's params with the envelope: resent on every retry. */
  readonly params: MessageParams;
  round: number;
  /** Closes the request's stream (per-request-stream backends: cancellation). */
  abort: AbortController | undefined;
  requestState: string | undefined;
  /** Answers collected in this round (created on the first `input_required`). */
  responses: Record<string, unknown> | undefined;
  /** Ids of the server→client requests of this round still unanswered by the client. */
  outstanding: Set<string> | undefined;
  /** `initialize` answered from `server/discover`: the version the client asked for. */
  readonly initialize: { requestedVersion: unknown } | undefined;
}

/** A server→client request the stage made of an `inputRequests` entry. */
export interface InputEntry {
  bridged: Bridged;
  /** Its key in `inputRequests` (and so in the retry's `inputResponses`). */
  key: string;
}

let counter = 0;

/**
 * The bridged requests of one backend connection, by the client's id and by the backend's, and the
 * server→client requests they raised, by their id. Backend and input ids are the stage's own (prefixed,
 * so they never meet the ids of 2026-07-28 messages passed through on the same connection).
 */
export class BridgedTable {
  readonly #byBackendId = new Map<RequestId, Bridged>();
  readonly #byClientId = new Map<RequestId, Bridged>();
  readonly #byInputId = new Map<string, InputEntry>();

  /** Requests being bridged. */
  get size(): number {
    return this.#byClientId.size;
  }

  /** Registers a new request (under a backend id from {@link rekey}). */
  open(
    clientId: RequestId,
    method: string,
    params: MessageParams,
    initialize?: Bridged['initialize'],
  ): Bridged {
    const bridged: Bridged = {
      clientId,
      backendId: '',
      method,
      params,
      round: 0,
      abort: undefined,
      requestState: undefined,
      responses: undefined,
      outstanding: undefined,
      initialize,
    };
    this.#byClientId.set(clientId, bridged);
    return bridged;
  }

  /** Gives a request a fresh backend id (its first, or one for a retry) and returns it. */
  rekey(bridged: Bridged): string {
    if (bridged.backendId !== '') this.#byBackendId.delete(bridged.backendId);
    bridged.backendId = `sb-era-${++counter}`;
    this.#byBackendId.set(bridged.backendId, bridged);
    return bridged.backendId;
  }

  byBackendId(id: RequestId): Bridged | undefined {
    return this.#byBackendId.get(id);
  }

  byClientId(id: RequestId): Bridged | undefined {
    return this.#byClientId.get(id);
  }

  /** Removes a request; `false` if it was already gone. Its input requests stay until answered or dropped. */
  forget(bridged: Bridged): boolean {
    if (this.#byClientId.get(bridged.clientId) !== bridged) return false;
    this.#byClientId.delete(bridged.clientId);
    this.#byBackendId.delete(bridged.backendId);
    return true;
  }

  /** Registers a server→client request raised for `bridged`; returns its id. */
  addInput(bridged: Bridged, key: string): string {
    const id = `switchboard-input-${++counter}`;
    (bridged.outstanding ??= new Set()).add(id);
    this.#byInputId.set(id, { bridged, key });
    return id;
  }

  /** Takes the input request a client response answers (`undefined`: not one of ours). */
  takeInput(id: RequestId | undefined): InputEntry | undefined {
    if (typeof id !== 'string') return undefined;
    const entry = this.#byInputId.get(id);
    if (entry === undefined) return undefined;
    this.#byInputId.delete(id);
    entry.bridged.outstanding?.delete(id);
    return entry;
  }

  /** Drops the unanswered input requests of `bridged`; returns their ids. */
  dropInputs(bridged: Bridged): string[] {
    const ids = [...(bridged.outstanding ?? [])];
    for (const id of ids) this.#byInputId.delete(id);
    bridged.outstanding?.clear();
    return ids;
  }

  /** Forgets everything (the connection closed). */
  clear(): void {
    this.#byClientId.clear();
    this.#byBackendId.clear();
    this.#byInputId.clear();
  }
}
