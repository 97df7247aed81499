import { SwitchboardError } from '../errors.js';
import { publishRateLimitRefusal } from '../observability/channels.js';
import type { AuthorizationPolicy, Caller } from './policy.js';
import type { RateLimiter } from './rate-limit/limiter.js';
import { LIST_FILTERS, requestTarget, toolOf } from './request-target.js';

/** A refusal, as reported to {@link AccessControlOptions.onRefused} (for logs). */
export type AccessRefusal =
  | { type: 'policy'; method: string; principal: string; target: string; requiredScopes: string[] }
  | {
      type: 'rate-limit';
      method: string;
      principal: string;
      scope: 'principal' | 'tool';
      retryAfterMs: number;
    };

/** Options of {@link AccessControl}. */
export interface AccessControlOptions {
  /** Which tools/resources/prompts each caller may use. */
  policy?: AuthorizationPolicy | undefined;
  /** Request rate per principal (and per tool). */
  limiter?: RateLimiter | undefined;
  /** Told about each refusal. */
  onRefused?: ((refusal: AccessRefusal) => void) | undefined;
}

/**
 * The per-request decisions shared by every frontend: the authorization policy and the rate limiter.
 * HTTP applies it at the edge (403/429 before a session sees the request); other frontends through the
 * {@link AccessGuardTransport} decorator (JSON-RPC errors). Rate-limit refusals are counted in metrics
 * through `publishRateLimitRefusal`.
 */
export class AccessControl {
  readonly #o: AccessControlOptions;

  /** @param options - policy, limiter, refusal observer */
  constructor(options: AccessControlOptions) {
    this.#o = options;
  }

  /** `true` when list results of `method` must be filtered. */
  filters(method: string): boolean {
    return this.#o.policy?.active === true && LIST_FILTERS[method] !== undefined;
  }

  /**
   * Decides one request.
   *
   * @param options.rateLimit - take a rate-limit token too (default true)
   * @returns `undefined` when admitted; else a `POLICY_DENIED` (with `details.requiredScopes`) or
   *   `RATE_LIMITED` (with `details.retryAfterMs`) error
   */
  check(
    method: string,
    params: unknown,
    caller: Caller,
    options: { rateLimit?: boolean | undefined } = {},
  ): SwitchboardError | undefined {
    const policy = this.#o.policy;
    const target = policy?.active ? requestTarget(method, params) : undefined;
    if (policy !== undefined && target !== undefined) {
      const decision = policy.decide(target.kind, target.name, caller);
      if (!decision.allowed) {
        this.#report({
          type: 'policy',
          method,
          principal: caller.principal,
          target: target.name,
          requiredScopes: decision.requiredScopes,
        });
        const what = target.kind === 'tools' ? 'tool' : target.kind === 'prompts' ? 'prompt' : 'resource';
        return new SwitchboardError(
          'POLICY_DENIED',
          `Forbidden: ${what} "${target.name.slice(0, 200)}" is not allowed`,
          {
            details: { requiredScopes: decision.requiredScopes },
          },
        );
      }
    }
    const limiter = this.#o.limiter;
    if (limiter !== undefined && options.rateLimit !== false) {
      const decision = limiter.take(caller.principal, toolOf(method, params));
      if (!decision.allowed) {
        publishRateLimitRefusal({ scope: decision.scope, method });
        this.#report({
          type: 'rate-limit',
          method,
          principal: caller.principal,
          scope: decision.scope,
          retryAfterMs: decision.retryAfterMs,
        });
        return new SwitchboardError(
          'RATE_LIMITED',
          `Too many requests: retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
          {
            details: { retryAfterMs: decision.retryAfterMs },
          },
        );
      }
    }
    return undefined;
  }

  /**
   * The result of a list request with the items the caller may not use removed (other members kept).
   *
   * @param method - the list method the result answers
   */
  filterResult(method: string, result: unknown, caller: Caller): unknown {
    const filter = LIST_FILTERS[method];
    const policy = this.#o.policy;
    if (filter === undefined || policy === undefined || typeof result !== 'object' || result === null)
      return result;
    const items = (result as Record<string, unknown>)[filter.array];
    if (!Array.isArray(items)) return result;
    const filtered: Record<string, unknown> = {
      ...result,
      [filter.array]: policy.filter(filter.kind, items, filter.key, caller),
    };
    // A list filtered per caller must not be cached across callers (2026-07-28 caching): its cache
    // scope becomes private. (The hints themselves stay: a 2026 result must carry them.)
    if ('cacheScope' in filtered) filtered.cacheScope = 'private';
    return filtered;
  }

  #report(refusal: AccessRefusal): void {
    try {
      this.#o.onRefused?.(refusal);
    } catch {
      // An observer must not change the decision.
    }
  }
}
