import { SwitchboardError } from '../errors.js';
import { globToRegExp } from '../security/policy.js';

/** Allow and deny globs (`*` matches any run of characters). */
export interface GlobRules {
  /** Only names matching one of these (absent: every name). */
  allow?: readonly string[] | undefined;
  /** Never names matching one of these (wins over `allow`). */
  deny?: readonly string[] | undefined;
}

function compile(patterns: readonly string[] | undefined, what: string): RegExp[] | undefined {
  if (patterns === undefined) return undefined;
  return patterns.map((p) => {
    if (p === '') throw new SwitchboardError('INVALID_OPTIONS', `${what}: empty pattern`);
    return globToRegExp(p);
  });
}

/**
 * A name filter from allow/deny globs: a name passes when it matches an `allow` glob (or there is no
 * `allow` list) and no `deny` glob.
 *
 * @example
 * ```ts
 * const f = new NameFilter({ allow: ['read_*'], deny: ['read_secret*'] }, 'tools');
 * f.passes('read_file'); // true
 * f.passes('read_secrets'); // false
 * ```
 */
export class NameFilter {
  readonly #allow: RegExp[] | undefined;
  readonly #deny: RegExp[];

  /**
   * @param rules - the globs
   * @param what - names the setting in error messages
   * @throws SwitchboardError `INVALID_OPTIONS` for an empty pattern
   */
  constructor(rules: GlobRules, what: string) {
    this.#allow = compile(rules.allow, what);
    this.#deny = compile(rules.deny, what) ?? [];
  }

  /** `true` when the filter lets everything through. */
  get open(): boolean {
    return this.#allow === undefined && this.#deny.length === 0;
  }

  /** `true` when `name` passes. */
  passes(name: string): boolean {
    if (this.#allow !== undefined && !this.#allow.some((re) => re.test(name))) return false;
    return !this.#deny.some((re) => re.test(name));
  }
}

/** What one server shows of each kind (per-server `tools`/`prompts`/`resources` settings). */
export interface ServerFilters {
  tools?: GlobRules | undefined;
  prompts?: GlobRules | undefined;
  /** Matched against resource URIs and resource template URIs. */
  resources?: GlobRules | undefined;
}

/** The compiled {@link ServerFilters} of one server. */
export interface CompiledServerFilters {
  tools: NameFilter;
  prompts: NameFilter;
  resources: NameFilter;
}

/**
 * Compiles a server's filters.
 *
 * @param server - the server's name, for error messages
 */
export function compileServerFilters(server: string, filters: ServerFilters = {}): CompiledServerFilters {
  return {
    tools: new NameFilter(filters.tools ?? {}, `servers.${server}.tools`),
    prompts: new NameFilter(filters.prompts ?? {}, `servers.${server}.prompts`),
    resources: new NameFilter(filters.resources ?? {}, `servers.${server}.resources`),
  };
}
