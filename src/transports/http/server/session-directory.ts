import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestId } from '../../../protocol/messages.js';

/**
 * Shared session state of several gateway instances (the listener's `sessionDirectory` option). The
 * in-memory default is no directory at all: a session exists only in the instance that created it.
 * With a directory (e.g. in Redis), any instance can serve any session: it forwards requests for a
 * session whose owner lives, and adopts a session whose owner died.
 */
export interface SessionDirectory {
  /** What a session holder records (fire-and-forget; failures are reported, never thrown). */
  readonly journal: SessionJournal;
  /**
   * A request names a session this instance does not hold: where is it? Called before the body is read.
   * @returns `forward` to the live owner, `adopt` (this instance now owns it) with what is needed to
   *   take it over, or `unknown` (answered 404 as usual)
   */
  locate(sessionId: string): Promise<LocateResult>;
  /**
   * Hands the request to the owner and pipes its answer back. Resolves `false` when the owner cannot
   * be reached (nothing was answered yet: the caller may locate again).
   */
  forward(target: string, req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /**
   * Run again, after a takeover, even requests that may have side effects (default false: only
   * read-only methods and tools annotated `readOnlyHint`/`idempotentHint`).
   */
  readonly rerunUnsafe?: boolean | undefined;
}

/** Requests longer than this (JSON text) are journaled without their text: they cannot run again. */
export const MAX_JOURNALED_REQUEST_CHARS = 64 * 1024;

/** The outcome of {@link SessionDirectory.locate}. */
export type LocateResult =
  | { action: 'forward'; target: string }
  | { action: 'adopt'; snapshot: SessionSnapshot }
  | { action: 'unknown' };

/** A request in flight when a session's owner died: which stream carries its answer. */
export interface PendingRequest {
  id: RequestId;
  method: string;
  streamId: number;
  progressToken?: string | number | undefined;
  /** The request as JSON text, kept to run it again after a takeover (absent when too large). */
  message?: string | undefined;
  /**
   * The request reached a backend that keeps it across a takeover (a worker pool, whose answer the
   * next owner reads): it is waited for, never run again.
   */
  forwarded?: boolean | undefined;
}

/** What an instance needs to take a session over. */
export interface SessionSnapshot {
  sessionId: string;
  /** The authenticated `clientId` the session is bound to, if any (the principal). */
  owner: string | undefined;
  protocolVersion: string | undefined;
  /** The client's `initialize` request (JSON text): replayed to a fresh backend (its answer stays here). */
  initialize: string | undefined;
  /** Whether the client sent `notifications/initialized`. */
  initialized: boolean;
  /** Requests still unanswered, with their streams. */
  pending: PendingRequest[];
  /**
   * This owner's epoch (≥ 1 after a takeover; incremented atomically by each one): the new owner's
   * stream numbers and the events it adds to inherited streams are numbered from
   * `epoch × EPOCH_SPAN`, above everything earlier owners handed out.
   */
  epoch: number;
  /** Last event sequence number of each stream that stored events. */
  lastSeq: Record<number, number>;
  /** The instance that held the session (for logs and errors). */
  previousOwner: string;
}

/**
 * What a session holder tells the directory. Calls are fire-and-forget (failures are reported, never
 * thrown), except that {@link requestStarted} returns when the entry is durable.
 */
export interface SessionJournal {
  /** A session was created here by `initialize` (its JSON text), for the principal `owner`. */
  opened(sessionId: string, owner: string | undefined, initialize: string): void;
  /** The client confirmed with `notifications/initialized`; `protocolVersion` was negotiated. */
  initialized(sessionId: string, protocolVersion: string | undefined): void;
  /**
   * A request of the session is now in flight on stream `streamId`. The transport holds back the
   * stream's response headers and events until the promise settles (it never rejects, and settles
   * within a bounded time even when the directory does not answer), so a client that holds an event
   * id of the stream finds the stream and its request known to any instance that takes over.
   */
  requestStarted(sessionId: string, request: PendingRequest): Promise<void> | undefined;
  /**
   * The request was handed to a backend that keeps it across a takeover (a worker pool). Present only
   * when the backend is such: elsewhere the relay is not asked to report it.
   */
  requestForwarded?: ((sessionId: string, id: RequestId) => void) | undefined;
  /** Its answer was sent (or it was dropped). */
  requestDone(sessionId: string, id: RequestId): void;
  /** The session ended (DELETE, expiry, shutdown): forget it everywhere. */
  ended(sessionId: string): void;
}
