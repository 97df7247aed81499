import type { CallToolResult } from '@modelcontextprotocol/client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ToolEntry } from '../../introspect/report.js';
import { JsonRpcCode } from '../../protocol/json-rpc-codes.js';
import type { AuthInfo } from '../../transport.js';
import { acceptable } from '../../transports/http/server/content-negotiation.js';
import type { KeepAliveTicker } from '../../transports/http/server/keep-alive.js';
import { SseWriter } from '../../transports/http/server/sse-writer.js';
import { encodeSseEvent } from '../../transports/http/shared/sse-encoding.js';
import type { AdapterSource, ProgressUpdate } from '../adapter-client.js';
import type { ArgumentValidator } from '../argument-validator.js';
import { toolErrorMessage, toolResponseBody, type BinaryContentMode } from '../content-mapping.js';
import { mapError, type AdapterErrorBody } from '../error-status.js';
import { disconnectSignal, readJsonObject, REFUSED, sendError, sendJson } from '../http-io.js';

/** What one tool call needs from the adapter. */
export interface ToolCallContext {
  source: AdapterSource;
  validator: ArgumentValidator;
  caller: AuthInfo | undefined;
  binaryContent: BinaryContentMode;
  /** Status of an `isError` result (200 answers it like a success). */
  toolErrorStatus: number;
  maxBodyBytes: number;
  sse: { maxBufferedBytes: number; drainTimeoutMs: number; ticker: KeepAliveTicker };
}

/** The answer of a finished call: status, body, headers. */
interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

function answerOf(result: CallToolResult, ctx: ToolCallContext): Answer {
  if (result.isError === true && ctx.toolErrorStatus !== 200) {
    const error: AdapterErrorBody = { message: toolErrorMessage(result) };
    return { status: ctx.toolErrorStatus, body: { error, result }, headers: {} };
  }
  return { status: 200, body: toolResponseBody(result, ctx.binaryContent), headers: {} };
}

function failureOf(error: unknown): Answer {
  const mapped = mapError(error);
  return { status: mapped.status, body: { error: mapped.error }, headers: mapped.headers };
}

/**
 * `POST /tools/{name}` (and its aliases): reads and validates the arguments (422 with ajv's errors),
 * calls the tool for the caller, and answers with the mapped result — as one JSON body, or, when the
 * client accepts only `text/event-stream`, as `progress` events followed by a `result` (or `error`)
 * event. A client that disconnects cancels the call.
 */
export async function handleToolCall(
  req: IncomingMessage,
  res: ServerResponse,
  tool: ToolEntry,
  ctx: ToolCallContext,
): Promise<void> {
  const args = await readJsonObject(req, res, ctx.maxBodyBytes);
  if (args === REFUSED) return;
  const issues = ctx.validator.check(tool, args);
  if (issues !== undefined) {
    sendError(res, 422, {
      code: JsonRpcCode.InvalidParams,
      message: `Invalid arguments for tool "${tool.name}"`,
      data: { errors: issues },
    });
    return;
  }
  const accept = acceptable(req.headers.accept);
  if (accept.sse && !accept.json) {
    await streamCall(res, tool.name, args, ctx);
    return;
  }
  const signal = disconnectSignal(res);
  let answer: Answer;
  try {
    answer = answerOf(await ctx.source.callTool(tool.name, args, { caller: ctx.caller, signal }), ctx);
  } catch (error) {
    if (signal.aborted) return; // nobody is listening any more
    answer = failureOf(error);
  }
  sendJson(res, answer.status, answer.body, answer.headers);
}

async function streamCall(
  res: ServerResponse,
  name: string,
  args: Record<string, unknown>,
  ctx: ToolCallContext,
): Promise<void> {
  const signal = disconnectSignal(res);
  const writer = new SseWriter(res, ctx.sse);
  writer.open(undefined);
  const onProgress = (update: ProgressUpdate): void => {
    const event = encodeSseEvent(JSON.stringify(update), undefined, 'progress');
    // A failed write (slow or gone client) closes the stream, whose close cancels the call.
    writer.write(event).catch(() => undefined);
  };
  let last: string;
  try {
    const answer = answerOf(
      await ctx.source.callTool(name, args, { caller: ctx.caller, signal, onProgress }),
      ctx,
    );
    last =
      answer.status === 200
        ? encodeSseEvent(JSON.stringify(answer.body), undefined, 'result')
        : encodeSseEvent(
            JSON.stringify({ status: answer.status, ...(answer.body as object) }),
            undefined,
            'error',
          );
  } catch (error) {
    if (signal.aborted) return;
    const failure = failureOf(error);
    last = encodeSseEvent(
      JSON.stringify({ status: failure.status, ...(failure.body as object) }),
      undefined,
      'error',
    );
  }
  writer.end(last);
}
