import { SwitchboardError } from '../errors.js';
import { isCodeLoadingEnv } from './child-env-policy.js';
import type { AuthInfo } from '../transport.js';

/**
 * Maps a verified claim, or a request header, of the session's caller to an environment variable of
 * that session's own stdio child (per-user credentials; opt-in). The value is a secret: it is never
 * logged, and only the child of that session receives it.
 */
export interface ChildEnvMapping {
  /** Variable name, e.g. `GITHUB_TOKEN`. */
  env: string;
  /** A claim of the verified JWT (`sub`, `email`, or a custom claim holding a downstream token). */
  claim?: string | undefined;
  /** A request header of the request that opened the session (e.g. `x-upstream-token`). */
  header?: string | undefined;
  /** Refuse the session when the value is absent (default true). */
  required?: boolean | undefined;
}

/** Longest value passed: 8 KiB. */
export const MAX_CHILD_ENV_VALUE = 8 * 1024;

// Caller-supplied values may not choose what runs nor where it looks: beyond the code-loading
// variables, these are refused for per-user variables even though the operator may set them.
const PER_USER_REFUSED = new Set(['PATH', 'HOME', 'SHELL']);

/**
 * Checks mappings once, at startup.
 *
 * @param allow - code-loading variables allowed by exact name (`--allow-env`); `PATH`, `HOME` and
 *   `SHELL` stay refused for per-user values
 * @throws SwitchboardError `INVALID_OPTIONS` for a bad or dangerous variable name (`PATH`, `LD_*`,
 *   `NODE_OPTIONS`, …) or a mapping without exactly one source
 */
export function checkChildEnvMappings(
  mappings: readonly ChildEnvMapping[],
  allow: readonly string[] = [],
): void {
  for (const m of mappings) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.env)) {
      throw new SwitchboardError('INVALID_OPTIONS', `child env "${m.env}": not a valid variable name`);
    }
    const upper = m.env.toUpperCase();
    if (PER_USER_REFUSED.has(upper) || (isCodeLoadingEnv(m.env) && !allow.includes(m.env))) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `child env "${m.env}": this variable controls what the child runs; refused`,
      );
    }
    if ((m.claim === undefined) === (m.header === undefined)) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        `child env "${m.env}": give exactly one of claim or header`,
      );
    }
  }
}

/**
 * The variables of one session's child.
 *
 * @param authInfo - the session's caller (claims in `extra.claims`, captured headers in `extra.headers`)
 * @returns the variables, or the name of the first required one that has no value
 */
export function childEnvFor(
  mappings: readonly ChildEnvMapping[],
  authInfo: AuthInfo | undefined,
): { env: Record<string, string> } | { missing: string } {
  const extra = authInfo?.extra ?? {};
  const claims = (typeof extra.claims === 'object' && extra.claims !== null ? extra.claims : {}) as Record<
    string,
    unknown
  >;
  const headers = (
    typeof extra.headers === 'object' && extra.headers !== null ? extra.headers : {}
  ) as Record<string, unknown>;
  const env: Record<string, string> = {};
  for (const m of mappings) {
    const raw = m.claim !== undefined ? claims[m.claim] : headers[(m.header ?? '').toLowerCase()];
    const value =
      typeof raw === 'string'
        ? raw
        : typeof raw === 'number' || typeof raw === 'boolean'
          ? String(raw)
          : undefined;
    if (value === undefined || value === '' || value.length > MAX_CHILD_ENV_VALUE || value.includes('\0')) {
      if (m.required ?? true) return { missing: m.env };
      continue;
    }
    env[m.env] = value;
  }
  return { env };
}
