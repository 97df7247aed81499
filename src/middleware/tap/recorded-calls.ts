import diff from 'microdiff';
import {
  isNotification,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '../../protocol/messages.js';
import type { RecordedFrame } from './recording.js';

/** How a live request is matched to a recorded one. */
export type MatchMode = 'exact' | 'name' | 'method';

/** A recorded request with its recorded answer and what the server sent while it was being answered. */
export interface RecordedCall {
  session: string;
  request: JSONRPCRequest;
  answer: JSONRPCMessage;
  /** From the request to the answer, ms. */
  answerAfterMs: number;
  /** Notifications of the session between the request and the answer (progress of this request, logs), with their offsets. */
  notifications: { afterMs: number; message: JSONRPCMessage }[];
}

/** Methods matched on the method alone whatever the mode: their parameters name the client, not the call. */
const METHOD_ONLY = new Set(['initialize', 'ping', 'server/discover']);

const timeOf = (f: RecordedFrame): number => {
  const t = Date.parse(f.time);
  return Number.isNaN(t) ? 0 : t;
};

/** `tools/call` tool name, `prompts/get` prompt name, `resources/read` URI. */
export function callTarget(request: { params?: unknown }): string | undefined {
  const p = request.params as { name?: unknown; uri?: unknown } | undefined;
  const t = p?.name ?? p?.uri;
  return typeof t === 'string' ? t : undefined;
}

/** What of a request's parameters `exact` matching compares: everything but `_meta`. */
export function callArguments(request: { params?: unknown }): Record<string, unknown> {
  const p = request.params;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return {};
  const { _meta: _ignored, ...rest } = p as Record<string, unknown>;
  return rest;
}

/** Canonical JSON text (object keys sorted), so argument order never prevents a match. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The key a request is matched on under `mode`. */
export function matchKey(request: { method: string; params?: unknown }, mode: MatchMode): string {
  if (mode === 'method' || METHOD_ONLY.has(request.method)) return request.method;
  const target = callTarget(request) ?? '';
  if (mode === 'name') return `${request.method}\u0000${target}`;
  return `${request.method}\u0000${canonicalJson(callArguments(request))}`;
}

/**
 * The client requests of a recording that have a recorded answer, each with the notifications its
 * session received while it was in flight (progress of that request; other notifications such as logs).
 * Requests the server made of the client are not calls and are left out.
 */
export function recordedCalls(frames: readonly RecordedFrame[]): RecordedCall[] {
  const calls: RecordedCall[] = [];
  const open = new Map<string, { call: RecordedCall; at: number; token: unknown }>();
  const key = (session: string, id: RequestId): string => `${session}\u0000${typeof id}:${String(id)}`;
  for (const f of frames) {
    const m = f.message;
    const at = timeOf(f);
    if (f.direction === 'in' && isRequest(m)) {
      const call: RecordedCall = {
        session: f.session,
        request: m,
        answer: m,
        answerAfterMs: 0,
        notifications: [],
      };
      open.set(key(f.session, m.id), { call, at, token: m.params?._meta?.progressToken });
    } else if (f.direction === 'out' && isResponse(m) && m.id !== undefined) {
      const pending = open.get(key(f.session, m.id));
      if (pending === undefined) continue;
      open.delete(key(f.session, m.id));
      pending.call.answer = m;
      pending.call.answerAfterMs = Math.max(0, at - pending.at);
      calls.push(pending.call);
    } else if (f.direction === 'out' && isNotification(m)) {
      for (const pending of open.values()) {
        if (pending.call.session !== f.session) continue;
        const token = (m.params as { progressToken?: unknown } | undefined)?.progressToken;
        if (m.method === 'notifications/progress' && token !== pending.token) continue;
        pending.call.notifications.push({ afterMs: Math.max(0, at - pending.at), message: m });
      }
    }
  }
  return calls;
}

/** How far a live request is from a recorded one (0: identical method, target and arguments). */
export function callDistance(live: { method: string; params?: unknown }, recorded: JSONRPCRequest): number {
  let d = live.method === recorded.method ? 0 : 1000;
  if (callTarget(live) !== callTarget(recorded)) d += 100;
  d += diff(callArguments(live), callArguments(recorded)).length;
  return d;
}

/** A one-line description of a recorded call: `tools/call echo {"text":"first"}`. */
export function describeCall(request: { method: string; params?: unknown }): string {
  const target = callTarget(request);
  const args = (request.params as { arguments?: unknown } | undefined)?.arguments;
  const text = `${request.method}${target !== undefined ? ` ${target}` : ''}${args !== undefined ? ` ${canonicalJson(args)}` : ''}`;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
