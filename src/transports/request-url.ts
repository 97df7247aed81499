/** Host used to resolve origin-form targets; `.invalid` never resolves (RFC 2606). */
const PLACEHOLDER_ORIGIN = 'http://request.invalid';

/**
 * Parses the target of an HTTP request line (`req.url`) without ever throwing.
 *
 * - origin-form (`/path?query`) is read as a path, always: `//evil.example/x` is the path `//evil.example/x`
 *   on the placeholder host, never a scheme-relative URL (which `new URL('//…', base)` would make of it,
 *   and which throws for `//` or `//[`);
 * - absolute-form (`http://host/path`, what proxies are sent) is parsed as it stands;
 * - anything else (`*`, authority-form `host:port`, garbage) gives `undefined`: answer 400.
 *
 * @param target - `req.url` (`undefined` counts as `/`)
 * @returns the parsed URL (for origin-form, on the host `request.invalid`), or `undefined`
 * @example
 * ```ts
 * parseRequestTarget('/mcp?x=1')?.pathname; // '/mcp'
 * parseRequestTarget('//[');               // URL with pathname '//['
 * parseRequestTarget('*');                 // undefined
 * ```
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  const raw = target ?? '/';
  try {
    if (raw.startsWith('/')) return new URL(PLACEHOLDER_ORIGIN + raw);
    if (/^https?:\/\//i.test(raw)) return new URL(raw);
  } catch {
    // Unparsable: the caller answers 400.
  }
  return undefined;
}

/**
 * The path of an HTTP request target (normalised: dot segments resolved, `\` read as `/`), or
 * `undefined` when the target cannot be parsed (see {@link parseRequestTarget}). Never throws.
 *
 * @param target - `req.url`
 */
export function requestPathname(target: string | undefined): string | undefined {
  return parseRequestTarget(target)?.pathname;
}
