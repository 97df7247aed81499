import { setTimeout as sleep } from 'node:timers/promises';
import { SwitchboardError, toSwitchboardError } from '../../../errors.js';
import { MediaType } from '../shared/headers.js';
import { reconnectDelay, type ResolvedHttpClientOptions } from './http-client-options.js';
import { networkError } from './http-errors.js';
import {
  discardBody,
  failedResponseError,
  mediaTypeOf,
  type HttpResponse,
  type ResponseBody,
} from './http-request.js';
import { readSseStream, type SseEvent } from './sse-stream-reader.js';

/** What the owner of a resumable stream provides. */
export interface ResumableStreamHooks {
  /** Opens `GET` on the MCP endpoint, with `Last-Event-ID` when given. */
  open: (lastEventId: string | undefined, signal: AbortSignal) => Promise<HttpResponse>;
  /** Every parsed event (priming and keep-alive events included). */
  onEvent: (event: SseEvent) => void;
  /** The latest `retry:` value seen on any stream of the transport. */
  serverRetryMs: () => number | undefined;
  onRetry: (ms: number) => void;
  onOversize: (error: SwitchboardError) => void;
  /** `true` once the stream has delivered what it was opened for (a POST stream's response). */
  isComplete: () => boolean;
  /** Out-of-band problems (a failed reconnection attempt). */
  onError: (error: SwitchboardError) => void;
}

/** How a resumable stream ended. */
export type StreamOutcome =
  | { kind: 'complete' }
  | { kind: 'aborted' }
  /** The server answered 405: it offers no stream here. */
  | { kind: 'unsupported' }
  /** The server refused with 400/404 (the session may be gone), or 401/403. */
  | { kind: 'rejected'; status: number; error: SwitchboardError }
  /** Too many consecutive failed reconnection attempts. */
  | { kind: 'gave-up'; error: SwitchboardError | undefined };

/** Where a resumable stream starts. */
export interface ResumableStreamStart {
  /** An already open SSE body (a POST response stream); omitted to start with a `GET`. */
  initial?: ResponseBody | undefined;
  /** The resumption cursor to start from. */
  lastEventId?: string | undefined;
  /** Wait the reconnection delay before the first `GET` (resuming a broken stream). */
  delayFirstOpen?: boolean | undefined;
  /** The MCP endpoint (for error messages). */
  url: URL;
  signal: AbortSignal;
  maxEventChars: number;
  policy: ResolvedHttpClientOptions['reconnect'];
}

const REJECTING = new Set([400, 401, 403, 404]);

/**
 * Reads an SSE stream and keeps it alive across disconnections, as the 2025-era spec asks: on a
 * disconnect it waits the server's `retry:` (or a jittered backoff), re-opens with `GET` and
 * `Last-Event-ID`, and goes on until the stream is complete, the server refuses, or `signal` aborts.
 * Each successful re-open resets the failure count, so a server that closes streams on purpose
 * (polling) is followed indefinitely.
 */
export async function runResumableStream(
  hooks: ResumableStreamHooks,
  start: ResumableStreamStart,
): Promise<StreamOutcome> {
  const { signal, policy } = start;
  let lastEventId = start.lastEventId;
  let body = start.initial;
  let delay = start.delayFirstOpen === true;
  let failures = 0;
  let lastError: SwitchboardError | undefined;
  for (;;) {
    if (signal.aborted) return { kind: 'aborted' };
    if (body === undefined) {
      if (delay) {
        try {
          await sleep(reconnectDelay(policy, failures, hooks.serverRetryMs()), undefined, { signal });
        } catch {
          return { kind: 'aborted' };
        }
      }
      delay = true;
      const opened = await openOnce(hooks, lastEventId, start);
      if (opened.kind === 'body') {
        body = opened.body;
        failures = 0;
      } else if (opened.kind === 'failed') {
        lastError = opened.error;
        hooks.onError(opened.error);
        if (++failures > policy.maxRetries) return { kind: 'gave-up', error: lastError };
        continue;
      } else {
        return opened.outcome;
      }
    }
    try {
      await readSseStream(
        body as AsyncIterable<Uint8Array>,
        {
          onEvent: (event) => {
            if (event.id !== undefined) lastEventId = event.id;
            hooks.onEvent(event);
          },
          onRetry: hooks.onRetry,
          onOversize: hooks.onOversize,
          onFault: hooks.onError,
        },
        start.maxEventChars,
      );
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      hooks.onError(networkError(error, { method: 'GET', url: start.url, signal }));
    }
    body = undefined;
    if (hooks.isComplete()) return { kind: 'complete' };
    if (signal.aborted) return { kind: 'aborted' };
  }
}

type OpenResult =
  | { kind: 'body'; body: ResponseBody }
  | { kind: 'failed'; error: SwitchboardError }
  | { kind: 'done'; outcome: StreamOutcome };

async function openOnce(
  hooks: ResumableStreamHooks,
  lastEventId: string | undefined,
  { signal, url }: ResumableStreamStart,
): Promise<OpenResult> {
  let res: HttpResponse;
  try {
    res = await hooks.open(lastEventId, signal);
  } catch (error) {
    if (signal.aborted) return { kind: 'done', outcome: { kind: 'aborted' } };
    return { kind: 'failed', error: toSwitchboardError(error, 'CONNECTION_FAILED') };
  }
  if (res.status === 405) {
    await discardBody(res.body);
    return { kind: 'done', outcome: { kind: 'unsupported' } };
  }
  if (res.status < 200 || res.status >= 300) {
    const error = await failedResponseError(res, { method: 'GET', url });
    if (REJECTING.has(res.status))
      return { kind: 'done', outcome: { kind: 'rejected', status: res.status, error } };
    return { kind: 'failed', error };
  }
  const type = mediaTypeOf(res.header('content-type'));
  if (type !== MediaType.eventStream) {
    await discardBody(res.body);
    return {
      kind: 'failed',
      error: new SwitchboardError(
        'HTTP_ERROR',
        `GET ${url.href} answered "${type ?? '(no content type)'}" instead of an SSE stream`,
      ),
    };
  }
  return { kind: 'body', body: res.body };
}
