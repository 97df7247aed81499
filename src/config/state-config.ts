import { z } from 'zod';
import { Duration } from './duration.js';

const RedisUri = z
  .string()
  .regex(/^rediss?:\/\//i, 'expected a redis:// or rediss:// URI, e.g. redis://127.0.0.1:6379/0');

/**
 * Shared state of gateway instances: with a Redis URI, sessions (owner, initialize parameters, client
 * capabilities, principal), SSE events for `Last-Event-ID` resumption and instance heartbeats live in
 * Redis, so any instance can serve any session; absent, all of it stays in this process's memory.
 */
export const StateConfigSchema = z
  .object({
    /** `redis://[user:password@]host:port/db` (`rediss://` for TLS); `?prefix=` prepends every key. */
    url: RedisUri,
    /** Name of this instance (default: random); it names the instance in session ownership and logs. */
    instance: z
      .string()
      .regex(/^[\w.-]{1,64}$/)
      .optional(),
    /** Heartbeat interval of this instance. */
    heartbeat: Duration.default(1_000),
    /** An instance without a heartbeat for this long is dead: its sessions are adopted. */
    deadAfter: Duration.default(5_000),
    /** Stored SSE events per session beyond which the oldest go (a resumption past them is partial). */
    maxEventsPerSession: z.number().int().min(16).default(10_000),
  })
  .strict();

/** Settings of every Redis connection: `state`, worker queues, `redis://` backends. */
export const RedisConnectionSchema = z
  .object({
    /** CA bundle to verify `rediss://` servers (default: the system roots). */
    caFile: z.string().min(1).optional(),
    /** Client certificate and key, for Redis servers that require mTLS. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** Host name to verify (and send as SNI) when it differs from the URI's. */
    servername: z.string().min(1).optional(),
    /**
     * Worker pools: re-run every request a dead worker had started. Default false: only read-only
     * methods and tools annotated `readOnlyHint`/`idempotentHint`; the others get a `WORKER_LOST` error.
     */
    rerunUnsafe: z.boolean().default(false),
  })
  .strict();

/** Config keys contributed to the serve schema. */
export const stateConfigShape = {
  /** Shared state in Redis (a string is the URL alone); absent = in memory. */
  state: z
    .union([RedisUri.transform((url) => ({ url })), z.object({}).passthrough()])
    .pipe(StateConfigSchema)
    .optional(),
  redis: RedisConnectionSchema.prefault({}),
};

/** The validated `state` section. */
export type StateConfig = z.infer<typeof StateConfigSchema>;
