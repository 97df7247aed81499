import type { MessageParams, RequestId } from '../protocol/messages.js';

/** One 2025 request carried to the 2026-07-28 backend, across its `input_required` rounds. */
export interface Bridged {
  readonly clientId: RequestId;
  /** The id of its current 2026 request (a fresh one per round). */
  backendId: string;
  /** Its slot in the table. */
  readonly slot: number;
  /** Order of registration (the latest of two requests under one client id wins a lookup). */
  readonly sequence: number;
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

/** Backend ids of bridged requests: `sb-era-<sequence>.<slot>` (never an id a 2026-07-28 client uses). */
const PREFIX = 'sb-era-';

/**
 * The bridged requests of one backend connection and the server→client requests they raised. Backend
 * and input ids are the stage's own (prefixed, so they never meet the ids of 2026-07-28 messages passed
 * through on the same connection).
 *
 * Requests sit in slots, reused once their request is forgotten, and a backend id names its slot: a
 * response finds its request with one array read and one string comparison. Two maps keyed by fresh
 * id strings, filled and emptied at every call, cost more than the rest of the bookkeeping (hashing new
 * strings, growing and shrinking hash tables as bursts of calls come and go). A client's id is looked up
 * only for a cancellation, by a scan of the slots.
 */
export class BridgedTable {
  readonly #slots: (Bridged | undefined)[] = [];
  readonly #free: number[] = [];
  #size = 0;
  readonly #byInputId = new Map<string, InputEntry>();

  /** Requests being bridged. */
  get size(): number {
    return this.#size;
  }

  /** Registers a new request (under a backend id from {@link rekey}). */
  open(
    clientId: RequestId,
    method: string,
    params: MessageParams,
    initialize?: Bridged['initialize'],
  ): Bridged {
    const slot = this.#free.pop() ?? this.#slots.length;
    const bridged: Bridged = {
      clientId,
      backendId: '',
      slot,
      sequence: ++counter,
      method,
      params,
      round: 0,
      abort: undefined,
      requestState: undefined,
      responses: undefined,
      outstanding: undefined,
      initialize,
    };
    this.#slots[slot] = bridged;
    this.#size++;
    return bridged;
  }

  /** Gives a request a fresh backend id (its first, or one for a retry) and returns it. */
  rekey(bridged: Bridged): string {
    bridged.backendId = `${PREFIX}${++counter}.${bridged.slot}`;
    return bridged.backendId;
  }

  /** The request whose current backend id is `id`, if any (an earlier round's id finds nothing). */
  byBackendId(id: RequestId): Bridged | undefined {
    if (typeof id !== 'string' || !id.startsWith(PREFIX)) return undefined;
    const bridged = this.#slots[Number(id.slice(id.lastIndexOf('.') + 1))];
    return bridged !== undefined && bridged.backendId === id ? bridged : undefined;
  }

  /** The most recent request the client sent under `id`, if it is still being bridged. */
  byClientId(id: RequestId): Bridged | undefined {
    let found: Bridged | undefined;
    for (const bridged of this.#slots) {
      if (bridged?.clientId === id && (found === undefined || bridged.sequence > found.sequence))
        found = bridged;
    }
    return found;
  }

  /** `true` while `bridged` is being bridged (not forgotten). */
  alive(bridged: Bridged): boolean {
    return this.#slots[bridged.slot] === bridged;
  }

  /** Removes a request; `false` if it was already gone. Its input requests stay until answered or dropped. */
  forget(bridged: Bridged): boolean {
    if (this.#slots[bridged.slot] !== bridged) return false;
    this.#slots[bridged.slot] = undefined;
    this.#free.push(bridged.slot);
    this.#size--;
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
    this.#slots.length = 0;
    this.#free.length = 0;
    this.#size = 0;
    this.#byInputId.clear();
  }
}
