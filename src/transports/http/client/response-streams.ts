import { SwitchboardError, toSwitchboardError } from '../../../errors.js';
import { isResponse, type JSONRPCMessage, type RequestId } from '../../../protocol/messages.js';
import type { TransportSendOptions } from '../../../transport.js';
import type { ResolvedHttpClientOptions } from './http-client-options.js';
import { readBodyText, type HttpResponse, type ResponseBody } from './http-request.js';
import type { MessageSink } from './message-sink.js';
import { runResumableStream, type ResumableStreamHooks, type StreamOutcome } from './resumable-stream.js';

/** What the readers of response bodies need from their transport. */
export interface StreamContext {
  readonly url: URL;
  readonly opts: ResolvedHttpClientOptions;
  readonly sink: MessageSink;
  /** Aborted when the transport closes. */
  readonly signal: AbortSignal;
  isClosed(): boolean;
  /** Opens `GET` on the MCP endpoint with the session headers (and `Last-Event-ID`). */
  openGet(lastEventId: string | undefined, signal: AbortSignal): Promise<HttpResponse>;
  /** The latest `retry:` value of any stream (the spec: the client MUST honour it). */
  serverRetryMs: number | undefined;
}

function baseHooks(ctx: StreamContext): Omit<ResumableStreamHooks, 'onEvent' | 'onOversize' | 'isComplete'> {
  return {
    open: (lastEventId, signal) => ctx.openGet(lastEventId, signal),
    serverRetryMs: () => ctx.serverRetryMs,
    onRetry: (ms) => {
      ctx.serverRetryMs = ms;
    },
    onError: (error) => ctx.sink.report(error),
  };
}

/** Reads a JSON answer to request `requestId` (one message, or a 2025-03-26 batch). */
export async function readJsonResponse(
  ctx: StreamContext,
  requestId: RequestId,
  body: ResponseBody,
): Promise<void> {
  let answered = false;
  const observe = (m: JSONRPCMessage): void => {
    if (isResponse(m) && m.id === requestId) answered = true;
  };
  try {
    const text = await readBodyText(body, ctx.opts.maxMessageBytes);
    for (const item of splitBatch(text)) ctx.sink.frame(item, observe);
  } catch (error) {
    if (ctx.isClosed()) return;
    const e = toSwitchboardError(error, 'CONNECTION_FAILED');
    ctx.sink.report(e);
    if (!answered) ctx.sink.fail(requestId, e);
    return;
  }
  if (!answered && !ctx.isClosed()) {
    ctx.sink.fail(
      requestId,
      new SwitchboardError('HTTP_ERROR', 'The JSON answer did not contain the response'),
    );
  }
}

/** Where a request's response stream comes from. */
export interface ResponseStreamSource {
  requestId: RequestId;
  /** The POST's SSE body; omitted to resume from `resumeFrom` with `GET`. */
  body?: ResponseBody | undefined;
  /** `send(…, { resumptionToken })`: resume that stream; responses are re-addressed to `requestId`. */
  resumeFrom?: string | undefined;
  options?: TransportSendOptions | undefined;
  /** The 2026-07-28 version of the request, if it is one: such streams are never resumed. */
  modern?: string | undefined;
}

/**
 * Reads the SSE stream answering a request. When it breaks before the response and the server gave
 * event ids (2025 era), it is resumed with `GET` + `Last-Event-ID` after the server's `retry:` delay.
 * If it ends for good without the response, the request fails at once (or `onRequestStreamEnd` is
 * called, for the SDK v2 to settle it) instead of waiting for the SDK's timeout.
 */
export async function readResponseStream(ctx: StreamContext, source: ResponseStreamSource): Promise<void> {
  const { requestId, options, modern, resumeFrom } = source;
  let answered = false;
  let resumable = resumeFrom !== undefined;
  let oversize: SwitchboardError | undefined;
  const requestSignal = options?.requestSignal;
  const signal = requestSignal === undefined ? ctx.signal : AbortSignal.any([ctx.signal, requestSignal]);
  const observe = (m: JSONRPCMessage): void => {
    if (isResponse(m) && m.id === requestId) answered = true;
  };
  const outcome = await runResumableStream(
    {
      ...baseHooks(ctx),
      onEvent: (event) => {
        if (event.id !== undefined && event.id !== '') {
          resumable = modern === undefined;
          options?.onresumptiontoken?.(event.id);
        }
        ctx.sink.event(event, observe, resumeFrom === undefined ? undefined : requestId);
      },
      onOversize: (error) => {
        oversize = error;
        ctx.sink.report(error);
      },
      isComplete: () => answered || !resumable,
    },
    {
      initial: source.body,
      lastEventId: resumeFrom,
      delayFirstOpen: source.body !== undefined,
      signal,
      url: ctx.url,
      maxEventChars: ctx.opts.maxMessageBytes,
      policy: ctx.opts.reconnect,
    },
  );
  if (ctx.isClosed() || outcome.kind === 'aborted') return;
  if (answered) {
    options?.onRequestStreamEnd?.();
    return;
  }
  if (outcome.kind === 'rejected') ctx.sink.report(outcome.error);
  if (options?.onRequestStreamEnd !== undefined) {
    options.onRequestStreamEnd();
    return;
  }
  ctx.sink.fail(
    requestId,
    oversize ??
      new SwitchboardError('CONNECTION_FAILED', 'The response stream ended before the response arrived'),
  );
}

/**
 * Runs the standalone `GET` stream (2025 era): server requests and notifications unrelated to a
 * request. It is re-opened after each disconnect until `signal` aborts or the server refuses.
 */
export function runStandaloneStream(ctx: StreamContext, signal: AbortSignal): Promise<StreamOutcome> {
  return runResumableStream(
    {
      ...baseHooks(ctx),
      onEvent: (event) => ctx.sink.event(event),
      onOversize: (error) => ctx.sink.report(error),
      isComplete: () => false,
    },
    { signal, url: ctx.url, maxEventChars: ctx.opts.maxMessageBytes, policy: ctx.opts.reconnect },
  );
}

/** The messages of a JSON body: one object, or (2025-03-26) a batch array. */
function splitBatch(text: string): string[] {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('[')) return [text];
  let items: unknown;
  try {
    items = JSON.parse(trimmed);
  } catch {
    return [text];
  }
  return Array.isArray(items) ? items.map((item) => JSON.stringify(item)) : [text];
}
