import { SwitchboardError, toJsonRpcError } from '../../../errors.js';
import { plainMessage, withFrameId } from '../../../framing/frame-message.js';
import {
  errorResponse,
  invalidMessageReason,
  isRequest,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../../../protocol/messages.js';
import type { ToolSafety } from '../../../queue/queue-types.js';
import { mayRerun, toolSafetyOf } from '../../../queue/rerun-policy.js';
import type { AuthInfo, MessageExtraInfo } from '../../../transport.js';
import type { InternalRequests } from './internal-requests.js';
import type { SessionSnapshot } from './session-directory.js';

/**
 * A request that was in flight at an instance that died, and did not reach a backend that keeps it
 * across a takeover (or nothing says it did): its answer will not come by itself.
 */
export interface OrphanedCall {
  id: RequestId;
  method: string;
  /** The request as JSON text, when it was journaled with it. */
  message: string | undefined;
}

/** What settling orphaned calls needs from the session that took them over. */
export interface OrphanSettlement {
  /** The instance that died (named in the error). */
  previousOwner: string;
  /** Run every request again, side effects or not. */
  rerunUnsafe: boolean;
  /** Asks the backend for one page of `tools/list`: its `result`, or `undefined` without an answer. */
  listTools(cursor: string | undefined): Promise<unknown>;
  /** Hands the request to the backend again; its answer reaches the client on the request's stream. */
  rerun(request: JSONRPCRequest): void;
  /** Answers the request with an error. */
  refuse(id: RequestId, error: SwitchboardError): void;
}

/** The session that took another instance's session over, as {@link resumeTakenOver} uses it. */
export interface TakenOverSession {
  /** `true` once the session closed. */
  closed(): boolean;
  /** Hands a message to the backend as if the client had sent it. */
  deliver(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void;
  /** Sends to the client (a response goes to its request's stream). */
  send(message: JSONRPCMessage): Promise<void>;
  /** Requests to the backend whose answers stay in the session. */
  internal: InternalRequests;
}

/** How long the backend may take to answer the replayed `initialize` or a `tools/list`, in ms. */
const INTERNAL_TIMEOUT_MS = 30_000;

/**
 * After a takeover: replays the client's `initialize` (and `notifications/initialized`) to the
 * backend — its answer stays in the session, or answers the client's own `initialize` if that was
 * still in flight — then settles the orphaned calls ({@link settleOrphanedCalls}). Never rejects for
 * the backend's sake: what cannot be run again is answered with an error.
 *
 * @param options - `authInfo`: the caller's credentials (bound to the session), passed with requests
 *   run again; `onForwarded`: the journal's hook for requests that reach a backend keeping them
 */
export async function resumeTakenOver(
  session: TakenOverSession,
  snapshot: SessionSnapshot,
  orphans: readonly OrphanedCall[],
  options: {
    rerunUnsafe: boolean;
    authInfo: AuthInfo | undefined;
    onForwarded: ((id: RequestId) => void) | undefined;
  },
): Promise<void> {
  const { internal } = session;
  let initResult: JSONRPCMessage | undefined;
  const initialize = parseRequest(snapshot.initialize);
  if (initialize !== undefined && !session.closed()) {
    initResult = await internal.ask(
      initialize,
      `switchboard-reinitialize-${snapshot.sessionId}`,
      INTERNAL_TIMEOUT_MS,
    );
    if (snapshot.initialized && !session.closed()) {
      session.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' }, undefined);
    }
  }
  if (orphans.length === 0 || session.closed()) return;
  const extra: MessageExtraInfo = { authInfo: options.authInfo };
  if (options.onForwarded !== undefined) extra.onForwarded = options.onForwarded;
  const report = (): void => undefined; // a send to a closed session: nobody is left to answer
  let pages = 0;
  await settleOrphanedCalls(
    orphans.filter((o) => {
      // The client's own `initialize` in flight: the replayed one's result answers it.
      if (o.method !== 'initialize' || initResult === undefined) return true;
      if (!('result' in plainMessage(initResult))) return true;
      session.send(withFrameId(initResult, o.id)).catch(report);
      return false;
    }),
    {
      previousOwner: snapshot.previousOwner,
      rerunUnsafe: options.rerunUnsafe,
      listTools: async (cursor) => {
        const answer = await internal.ask(
          { jsonrpc: '2.0', method: 'tools/list', params: cursor === undefined ? {} : { cursor } },
          `switchboard-takeover-tools-${++pages}`,
          INTERNAL_TIMEOUT_MS,
        );
        return answer === undefined ? undefined : (plainMessage(answer) as { result?: unknown }).result;
      },
      rerun: (request) => session.deliver(request, extra),
      refuse: (id, error) => void session.send(errorResponse(id, toJsonRpcError(error))).catch(report),
    },
  );
}

/** The journaled `initialize` text as a request, if it is one. */
function parseRequest(text: string | undefined): JSONRPCRequest | undefined {
  if (text === undefined) return undefined;
  try {
    const message = JSON.parse(text) as unknown;
    return invalidMessageReason(message) === undefined && isRequest(message as JSONRPCMessage)
      ? (message as JSONRPCRequest)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Most `tools/list` pages read to learn tool annotations. */
const MAX_TOOL_PAGES = 20;

/**
 * Answers each orphaned call, never leaving one silent: it runs again where that is safe — the rule
 * of the worker pools: read-only methods, `tools/call` of a tool annotated `readOnlyHint` or
 * `idempotentHint` (annotations read from the backend's `tools/list`, once), or everything when
 * configured — and is otherwise answered with an `INSTANCE_LOST` error naming the dead instance and
 * the reason.
 *
 * @returns how many were run again and how many refused
 */
export async function settleOrphanedCalls(
  calls: readonly OrphanedCall[],
  s: OrphanSettlement,
): Promise<{ rerun: number; refused: number }> {
  let tools: Promise<Map<string, ToolSafety>> | undefined;
  const lookup = (name: string): Promise<ToolSafety | undefined> =>
    (tools ??= learnTools(s)).then((known) => known.get(name));
  const counts = { rerun: 0, refused: 0 };
  for (const call of calls) {
    const request = requestOf(call);
    const verdict =
      request === undefined
        ? { rerun: false, why: 'its text was not kept (too large)' }
        : await mayRerun(request, s.rerunUnsafe, lookup);
    if (verdict.rerun && request !== undefined) {
      counts.rerun++;
      s.rerun(request);
      continue;
    }
    counts.refused++;
    s.refuse(
      call.id,
      new SwitchboardError(
        'INSTANCE_LOST',
        `Gateway instance ${s.previousOwner} died while handling "${call.method}"; not run again: ${verdict.why}`,
        { details: { instance: s.previousOwner, requestId: call.id } },
      ),
    );
  }
  return counts;
}

function requestOf(call: OrphanedCall): JSONRPCRequest | undefined {
  if (call.message === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.message);
  } catch {
    return undefined;
  }
  if (invalidMessageReason(parsed) !== undefined) return undefined;
  const message = parsed as JSONRPCRequest;
  return isRequest(message) && message.id === call.id ? message : undefined;
}

/** The re-run safety of every tool the backend lists (following `nextCursor`, bounded). */
async function learnTools(s: OrphanSettlement): Promise<Map<string, ToolSafety>> {
  const known = new Map<string, ToolSafety>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const result = await s.listTools(cursor).catch(() => undefined);
    for (const [name, safety] of Object.entries(toolSafetyOf(result))) known.set(name, safety);
    const next = (result as { nextCursor?: unknown } | undefined)?.nextCursor;
    if (typeof next !== 'string' || next === '') break;
    cursor = next;
  }
  return known;
}
