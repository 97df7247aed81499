/** Free text (a child's stderr line, an error message) longer than this is cut before it is logged. */
const MAX_TEXT = 2048;
/** Known secret values shorter than this are not searched for (too many false hits). */
const MIN_SECRET = 6;

const SECRET_NAME =
  '[\\w.-]*(?:pass(?:word|phrase|wd)?|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|private[-_]?key|session[-_]?id)[\\w.-]*';

/** `name=value`, `name: value`, `"name":"value"` where the name looks secret. */
const NAMED_VALUE = new RegExp(`(${SECRET_NAME})(["']?\\s*[=:]\\s*["']?)([^\\s"',;&]+)`, 'gi');
/** HTTP authorization schemes followed by their credentials. */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]+/gi;
/** A JSON Web Token. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** `scheme://user:password@host`. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
/** Well-known key formats (OpenAI/Anthropic-style, GitHub, Slack, AWS access key ids). */
const KEY_FORMATS =
  /\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b/g;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A log-safe copy of free text such as a backend's stderr line: credentials in the usual shapes
 * (`password=…`, `"token": "…"`, `Authorization: Bearer …`, JWTs, `user:pass@` in URLs, well-known API key
 * formats) and every known secret value given in `secrets` become `[redacted]`; text beyond 2 KiB is cut.
 *
 * It is a safety net for logs, not a guarantee: a secret in an unknown shape that is not listed in
 * `secrets` passes. Never send such text to clients.
 *
 * @param text - the text to clean
 * @param secrets - exact values to hide wherever they appear (values shorter than 6 characters are ignored)
 * @example
 * ```ts
 * redactText('login failed for token=abc123 at https://bob:pw@db:5432'); // 'login failed for token=[redacted] at https://[redacted]@db:5432'
 * ```
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…(${text.length} chars)` : text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET && out.includes(secret)) {
      out = out.replace(new RegExp(escapeRegExp(secret), 'g'), '[redacted]');
    }
  }
  return out
    .replace(URL_USERINFO, '$1[redacted]@')
    .replace(AUTH_SCHEME, '$1 [redacted]')
    .replace(JWT, '[redacted]')
    .replace(KEY_FORMATS, '[redacted]')
    .replace(NAMED_VALUE, (match: string, name: string, sep: string, value: string) =>
      value === '[redacted]' ? match : `${name}${sep}[redacted]`,
    );
}
