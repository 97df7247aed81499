// A URL as written: scheme, "//", optional user info, host and path, optional query, optional fragment.
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/?#@]*@)?([^?#]*)(\?[^#]*)?(#.*)?$/is;
// URLs inside free text: up to whitespace, quotes or angle brackets.
const URLS_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** What replaces a hidden part. */
export const URL_REDACTED = '***';

/**
 * A URL safe to log or show: the user name and password become `***`, every query-parameter value
 * becomes `***` (names are kept: `?tenant=***&token=***`), a fragment is dropped to `#***`. The text is
 * rewritten as written — no normalisation — so it still shows what the operator gave.
 *
 * @param uri - any `scheme://…` string (others are returned unchanged)
 * @example
 * ```ts
 * redactUrl('https://bob:pw@api.example.com/mcp?key=s3cr3t'); // 'https://***@api.example.com/mcp?key=***'
 * ```
 */
export function redactUrl(uri: string): string {
  const m = URL_PARTS.exec(uri);
  if (m === null) return uri;
  const [, scheme = '', rest = '', query, fragment] = m;
  const userInfo = uri.slice(scheme.length).split(/[/?#]/, 1)[0]?.includes('@') ? `${URL_REDACTED}@` : '';
  const params =
    query === undefined
      ? ''
      : `?${query
          .slice(1)
          .split('&')
          .map((pair) => {
            const eq = pair.indexOf('=');
            return eq === -1 ? pair : `${pair.slice(0, eq)}=${URL_REDACTED}`;
          })
          .join('&')}`;
  return `${scheme}${userInfo}${rest}${params}${fragment === undefined ? '' : `#${URL_REDACTED}`}`;
}

/**
 * `text` with every URL in it passed through {@link redactUrl} (error messages, log lines).
 *
 * @param text - free text
 */
export function redactUrlsIn(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URLS_IN_TEXT, (match) => {
    // Punctuation that ends a sentence or a clause ("…/mcp: refused") is not part of the URL.
    const tail = /[.,:;!?)\]}]+$/.exec(match)?.[0] ?? '';
    return redactUrl(match.slice(0, match.length - tail.length)) + tail;
  });
}

/**
 * A copy of a log record with the URLs in its string values redacted (nested objects and arrays up to
 * `depth` levels); values without `://` are kept as they are.
 *
 * @param value - a log record or any value in it
 * @param depth - how deep to look (default 4)
 */
export function redactUrlsDeep(value: unknown, depth = 4): unknown {
  if (typeof value === 'string') return redactUrlsIn(value);
  if (depth <= 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactUrlsDeep(v, depth - 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = redactUrlsDeep(v, depth - 1);
  return out;
}
