/**
 * The 2026-07-28 header value encoding for `Mcp-Name` and `Mcp-Param-{Name}`: a value that is not a
 * plain, header-safe ASCII string travels as `=?base64?{Base64 of its UTF-8}?=`.
 */

const PREFIX = '=?base64?';
const SUFFIX = '?=';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `true` when `value` can be sent as-is: visible ASCII, space and tab only, no leading or trailing
 * whitespace, and not itself shaped like the Base64 sentinel.
 */
export function isPlainHeaderValue(value: string): boolean {
  if (value.length === 0) return true;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x09 && (c < 0x20 || c > 0x7e)) return false;
  }
  return !isSentinel(value);
}

function isSentinel(value: string): boolean {
  return value.startsWith(PREFIX) && value.endsWith(SUFFIX) && value.length >= PREFIX.length + SUFFIX.length;
}

/**
 * Encodes a value for `Mcp-Name` / `Mcp-Param-*`: as-is when plain, else with the Base64 sentinel.
 *
 * @example
 * ```ts
 * encodeHeaderValue('us-west1');     // 'us-west1'
 * encodeHeaderValue('Hello, 世界');  // '=?base64?SGVsbG8sIOS4lueVjA==?='
 * ```
 */
export function encodeHeaderValue(value: string): string {
  if (isPlainHeaderValue(value)) return value;
  return `${PREFIX}${Buffer.from(value, 'utf8').toString('base64')}${SUFFIX}`;
}

/**
 * Decodes a received `Mcp-Name` / `Mcp-Param-*` value.
 *
 * @returns the decoded value, or `undefined` when the value holds characters a header may not carry or
 *   is a malformed sentinel (both are validation failures, answered with `HeaderMismatch`)
 */
export function decodeHeaderValue(raw: string): string | undefined {
  if (isSentinel(raw)) {
    const b64 = raw.slice(PREFIX.length, raw.length - SUFFIX.length);
    if (!BASE64.test(b64) || b64.length % 4 !== 0) return undefined;
    const bytes = Buffer.from(b64, 'base64');
    const text = bytes.toString('utf8');
    // Reject bytes that are not valid UTF-8 (they decode to U+FFFD and would not round-trip).
    if (!Buffer.from(text, 'utf8').equals(bytes)) return undefined;
    return text;
  }
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 0x09 && (c < 0x20 || c > 0x7e)) return undefined;
  }
  return raw;
}
