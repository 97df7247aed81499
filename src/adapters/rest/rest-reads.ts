import { UriTemplate } from '@modelcontextprotocol/client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PromptEntry, ResourceTemplateEntry } from '../../introspect/report.js';
import { JsonRpcCode } from '../../protocol/json-rpc-codes.js';
import { uriTemplateVariables } from '../../schema/uri-template.js';
import type { AuthInfo } from '../../transport.js';
import type { AdapterSource } from '../adapter-client.js';
import { mapError } from '../error-status.js';
import { disconnectSignal, readJsonObject, REFUSED, sendError, sendJson, sendMapped } from '../http-io.js';

// Resources, resource templates and prompts over REST.

/** What a read needs from the adapter. */
export interface ReadContext {
  source: AdapterSource;
  caller: AuthInfo | undefined;
  maxBodyBytes: number;
}

async function answer(res: ServerResponse, work: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const signal = disconnectSignal(res);
  try {
    sendJson(res, 200, await work(signal));
  } catch (error) {
    if (!signal.aborted) sendMapped(res, mapError(error));
  }
}

/** `GET /resources/read?uri=…`: the resource's contents (`ReadResourceResult`). */
export async function handleReadResource(
  res: ServerResponse,
  query: URLSearchParams,
  ctx: ReadContext,
): Promise<void> {
  const uri = query.get('uri');
  if (uri === null || uri === '') {
    sendError(res, 400, {
      code: JsonRpcCode.InvalidParams,
      message: 'The query parameter "uri" is required',
    });
    return;
  }
  await answer(res, (signal) => ctx.source.readResource(uri, { caller: ctx.caller, signal }));
}

/**
 * `GET /resources/templates/{name}?<variables>`: expands the template (RFC 6570, with the SDK's
 * `UriTemplate`) from the query parameters, then reads the resource. A missing required variable is 422.
 */
export async function handleReadTemplate(
  res: ServerResponse,
  template: ResourceTemplateEntry,
  query: URLSearchParams,
  ctx: ReadContext,
): Promise<void> {
  const variables: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of uriTemplateVariables(template.uriTemplate)) {
    const value = query.get(v.name);
    if (value !== null) variables[v.name] = value;
    else if (v.required) missing.push(v.name);
  }
  if (missing.length > 0) {
    sendError(res, 422, {
      code: JsonRpcCode.InvalidParams,
      message: `Missing template variable(s): ${missing.join(', ')}`,
      data: {
        errors: missing.map((name) => ({
          instancePath: `/${name}`,
          keyword: 'required',
          message: 'is required',
          params: { missingProperty: name },
        })),
      },
    });
    return;
  }
  let uri: string;
  try {
    uri = new UriTemplate(template.uriTemplate).expand(variables);
  } catch (error) {
    sendError(res, 422, {
      code: JsonRpcCode.InvalidParams,
      message: `Cannot expand "${template.uriTemplate}": ${error instanceof Error ? error.message : String(error)}`,
    });
    return;
  }
  await answer(res, (signal) => ctx.source.readResource(uri, { caller: ctx.caller, signal }));
}

/**
 * `POST /prompts/{name}` with the arguments as a JSON object of strings: the prompt's messages
 * (`GetPromptResult`). Non-string values and missing required arguments are 422.
 */
export async function handlePrompt(
  req: IncomingMessage,
  res: ServerResponse,
  prompt: PromptEntry,
  ctx: ReadContext,
): Promise<void> {
  const body = await readJsonObject(req, res, ctx.maxBodyBytes);
  if (body === REFUSED) return;
  const errors: {
    instancePath: string;
    keyword: string;
    message: string;
    params: Record<string, unknown>;
  }[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') {
      errors.push({
        instancePath: `/${key}`,
        keyword: 'type',
        message: 'must be string',
        params: { type: 'string' },
      });
    }
  }
  for (const arg of prompt.arguments ?? []) {
    if (arg.required === true && body[arg.name] === undefined) {
      errors.push({
        instancePath: '',
        keyword: 'required',
        message: `must have required property '${arg.name}'`,
        params: { missingProperty: arg.name },
      });
    }
  }
  if (errors.length > 0) {
    sendError(res, 422, {
      code: JsonRpcCode.InvalidParams,
      message: `Invalid arguments for prompt "${prompt.name}"`,
      data: { errors: errors.slice(0, 20) },
    });
    return;
  }
  await answer(res, (signal) =>
    ctx.source.getPrompt(prompt.name, body as Record<string, string>, { caller: ctx.caller, signal }),
  );
}
