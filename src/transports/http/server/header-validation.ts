import type { IncomingHttpHeaders } from 'node:http';
import type { JSONRPCRequest } from '../../../protocol/messages.js';
import { decodeHeaderValue } from '../shared/header-value.js';
import { McpHeader, NAME_HEADER_SOURCE } from '../shared/headers.js';
import type { ToolHeaderRegistry } from './tool-headers.js';

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Compares a decoded header value with a body value (integers numerically, as the spec advises). */
function sameValue(header: string, body: unknown): boolean {
  if (typeof body === 'string') return header === body;
  if (typeof body === 'boolean') return header === String(body);
  if (typeof body === 'number') return header.trim() !== '' && Number(header) === body;
  return false;
}

/**
 * Checks the 2026-07-28 request metadata headers of one request against its body: `Mcp-Method`,
 * `Mcp-Name` (tools/call, prompts/get, resources/read; Base64 sentinel decoded) and, for tools whose
 * schema the listener has seen, every `Mcp-Param-*` header declared with `x-mcp-header`.
 *
 * @returns why the request must be refused with 400 + `HeaderMismatch` (-32020), or `undefined`
 */
export function headerMismatch(
  headers: IncomingHttpHeaders,
  request: JSONRPCRequest,
  tools: ToolHeaderRegistry,
): string | undefined {
  const method = single(headers[McpHeader.method]);
  if (method === undefined) return 'Header mismatch: the Mcp-Method header is required';
  if (method !== request.method) {
    return `Header mismatch: Mcp-Method header value '${method}' does not match body value '${request.method}'`;
  }
  const source = NAME_HEADER_SOURCE[request.method];
  if (source !== undefined) {
    const rawName = single(headers[McpHeader.name]);
    const bodyName = request.params?.[source];
    if (rawName === undefined) {
      if (bodyName !== undefined) return 'Header mismatch: the Mcp-Name header is required';
    } else {
      const name = decodeHeaderValue(rawName);
      if (name === undefined) return 'Header mismatch: the Mcp-Name header value is not validly encoded';
      if (name !== bodyName) {
        return `Header mismatch: Mcp-Name header value '${name}' does not match body value '${String(bodyName)}'`;
      }
    }
  }
  if (request.method !== 'tools/call' || typeof request.params?.name !== 'string') return undefined;
  const declared = tools.declarations(request.params.name);
  if (declared === undefined) return undefined;
  const args = request.params.arguments;
  for (const d of declared) {
    const raw = single(headers[d.header]);
    const body = valueAt(args, d.path);
    if (body === undefined || body === null) {
      if (raw !== undefined) return `Header mismatch: ${d.header} is present but the argument is absent`;
      continue;
    }
    if (raw === undefined) return `Header mismatch: the ${d.header} header is required`;
    const value = decodeHeaderValue(raw);
    if (value === undefined) return `Header mismatch: the ${d.header} header value is not validly encoded`;
    if (!sameValue(value, body))
      return `Header mismatch: ${d.header} header value does not match the argument`;
  }
  return undefined;
}
