import { SwitchboardError } from '../errors.js';
import type { AuthInfo } from '../transport.js';

/** What a policy rule grants access to. */
export type PolicyTarget = 'tools' | 'resources' | 'prompts';

/**
 * One rule: *who* (every condition given must hold) gets *what* (name patterns per kind; `*` matches
 * any run of characters). A rule that lists no patterns for a kind grants nothing of that kind.
 */
export interface PolicyRule {
  /** The caller must hold all of these scopes. */
  scopes?: readonly string[] | undefined;
  /** Each claim must equal one of the values (array claims: contain one). */
  claims?: Readonly<Record<string, string | readonly string[]>> | undefined;
  /** The caller's principal (`sub:alice`, `client:app`, `apikey:ci`, `cert:<sha256>`) is one of these. */
  principals?: readonly string[] | undefined;
  /** Tool names (`read_*`). */
  tools?: readonly string[] | undefined;
  /** Resource URIs and URI templates (`file:///docs/*`). */
  resources?: readonly string[] | undefined;
  /** Prompt names. */
  prompts?: readonly string[] | undefined;
}

/** Who is asking, as the policy sees it. */
export interface Caller {
  principal: string;
  scopes: readonly string[];
  claims: Readonly<Record<string, unknown>>;
}

/** What {@link AuthorizationPolicy.decide} said. */
export type PolicyDecision = { allowed: true } | { allowed: false; requiredScopes: string[] };

/**
 * A name pattern as a regular expression: `*` matches any run of characters (slashes included), every
 * other character itself.
 *
 * @param pattern - e.g. `read_*`, `file:///docs/*`
 */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

interface CompiledRule {
  rule: PolicyRule;
  patterns: Record<PolicyTarget, RegExp[]>;
}

/** The caller facts in an `AuthInfo` (from the authenticator, or a verified client certificate). */
export function callerOf(authInfo: AuthInfo | undefined, fallbackPrincipal = 'anonymous'): Caller {
  const extra = authInfo?.extra ?? {};
  const principal =
    typeof extra.principal === 'string' ? extra.principal : (authInfo?.clientId ?? fallbackPrincipal);
  const claims =
    typeof extra.claims === 'object' && extra.claims !== null
      ? (extra.claims as Record<string, unknown>)
      : {};
  return { principal, scopes: authInfo?.scopes ?? [], claims };
}

/**
 * Scope/claim-based authorization of tools, resources and prompts. Rules are additive:
 * a name is allowed when any rule that matches the caller lists it; everything else is refused. An
 * empty policy (no rules) allows everything — configure rules to restrict.
 *
 * @example
 * ```ts
 * const policy = new AuthorizationPolicy([
 *   { scopes: ['mcp:read'], tools: ['search', 'get_*'], resources: ['docs://*'] },
 *   { scopes: ['mcp:admin'], tools: ['*'], prompts: ['*'] },
 * ]);
 * policy.decide('tools', 'delete_repo', caller); // { allowed: false, requiredScopes: ['mcp:admin'] }
 * ```
 */
export class AuthorizationPolicy {
  readonly #rules: CompiledRule[];

  /**
   * @param rules - the rules (order does not matter)
   * @throws SwitchboardError `INVALID_OPTIONS` for an empty pattern
   */
  constructor(rules: readonly PolicyRule[]) {
    this.#rules = rules.map((rule) => {
      const compile = (list: readonly string[] | undefined): RegExp[] =>
        (list ?? []).map((p) => {
          if (p === '') throw new SwitchboardError('INVALID_OPTIONS', 'policy: empty name pattern');
          return globToRegExp(p);
        });
      return {
        rule,
        patterns: {
          tools: compile(rule.tools),
          resources: compile(rule.resources),
          prompts: compile(rule.prompts),
        },
      };
    });
  }

  /** `true` when the policy restricts anything (at least one rule). */
  get active(): boolean {
    return this.#rules.length > 0;
  }

  /**
   * Decides one access.
   *
   * @param kind - tools, resources or prompts
   * @param name - tool/prompt name, or resource URI (or URI template, when filtering templates)
   * @param caller - who asks
   * @returns allowed, or refused with the scopes of the least demanding rule that would allow it
   */
  decide(kind: PolicyTarget, name: string, caller: Caller): PolicyDecision {
    if (!this.active) return { allowed: true };
    let best: string[] | undefined;
    for (const { rule, patterns } of this.#rules) {
      if (!patterns[kind].some((re) => re.test(name))) continue;
      if (matches(rule, caller)) return { allowed: true };
      // Step-up hint: only scope-based rules can be satisfied by asking for more scopes.
      if (rule.scopes?.length && !rule.claims && !rule.principals) {
        const missing = rule.scopes.filter((s) => !caller.scopes.includes(s));
        if (best === undefined || missing.length < best.length) best = [...rule.scopes];
      }
    }
    return { allowed: false, requiredScopes: best ?? [] };
  }

  /**
   * Keeps the items of a list result the caller may use.
   *
   * @param key - the item member holding the name (`name`, `uri`, `uriTemplate`)
   */
  filter<T>(kind: PolicyTarget, items: readonly T[], key: string, caller: Caller): T[] {
    if (!this.active) return [...items];
    return items.filter((item) => {
      const name = (item as Record<string, unknown> | null)?.[key];
      return typeof name === 'string' && this.decide(kind, name, caller).allowed;
    });
  }
}

function matches(rule: PolicyRule, caller: Caller): boolean {
  if (rule.scopes && !rule.scopes.every((s) => caller.scopes.includes(s))) return false;
  if (rule.principals && !rule.principals.includes(caller.principal)) return false;
  if (rule.claims) {
    for (const [claim, wanted] of Object.entries(rule.claims)) {
      const values: readonly string[] = typeof wanted === 'string' ? [wanted] : wanted;
      const actual = caller.claims[claim];
      const have = Array.isArray(actual) ? actual : [actual];
      if (!have.some((v) => typeof v === 'string' && values.includes(v))) return false;
    }
  }
  return true;
}
