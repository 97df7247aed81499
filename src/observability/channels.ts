import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Names of the `node:diagnostics_channel` channels the switchboard publishes on. Anyone may subscribe
 * (the metrics registry does); publishing costs nothing while nobody listens.
 */
export const ChannelName = {
  /** A request was refused by a rate limiter. Message: {@link RateLimitRefusal}. */
  rateLimitRefused: 'mcp-switchboard:rate-limit:refused',
  /** A circuit breaker changed state. Message: `{ backend: string; state: 'closed'|'open'|'half-open' }`. */
  breakerState: 'mcp-switchboard:breaker:state',
  /** A link frame was rejected (tampered, replayed, undecodable). Message: `{ reason: string }`. */
  linkRejected: 'mcp-switchboard:link:rejected',
} as const;

/** What a rate limiter publishes when it refuses a request. */
export interface RateLimitRefusal {
  /** What was limited: e.g. `session`, `client`, `ip`, `global`. Keep it low-cardinality. */
  scope: string;
  /** The JSON-RPC method refused, if known. */
  method?: string | undefined;
}

const rateLimitChannel = diagnosticsChannel.channel(ChannelName.rateLimitRefused);

/**
 * Reports a rate-limit refusal: the metrics registry counts it as
 * `switchboard_rate_limit_refusals_total{scope}`. For rate limiters (any module), no reference to the
 * registry needed.
 *
 * @param refusal - what was refused
 * @example
 * ```ts
 * if (!bucket.take()) { publishRateLimitRefusal({ scope: 'session', method: 'tools/call' }); return reject(); }
 * ```
 */
export function publishRateLimitRefusal(refusal: RateLimitRefusal): void {
  if (rateLimitChannel.hasSubscribers) rateLimitChannel.publish(refusal);
}
