/** What a request's `Accept` header allows. */
export interface Acceptable {
  json: boolean;
  sse: boolean;
}

const BOTH: Acceptable = { json: true, sse: true };
const COMMON_1 = 'application/json, text/event-stream';
const COMMON_2 = 'text/event-stream, application/json';

/**
 * Reads `Accept`. An absent header accepts anything (RFC 9110 § 12.5.1); wildcards count. Parameters and
 * q-values other than `q=0` are ignored.
 */
export function acceptable(header: string | undefined): Acceptable {
  // Fast path: what MCP clients send on every POST.
  if (header === undefined || header === '' || header === COMMON_1 || header === COMMON_2) return BOTH;
  let json = false;
  let sse = false;
  for (const part of header.split(',')) {
    const [rangeRaw, ...params] = part.split(';');
    if (params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/i.test(p))) continue;
    const range = (rangeRaw ?? '').trim().toLowerCase();
    if (range === '*/*') return BOTH;
    if (range === 'application/json' || range === 'application/*') json = true;
    else if (range === 'text/event-stream' || range === 'text/*') sse = true;
  }
  return { json, sse };
}

/** `true` when a `Content-Type` header names `application/json` (any parameters, any case). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semi = header.indexOf(';');
  const essence = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  return essence === 'application/json';
}
