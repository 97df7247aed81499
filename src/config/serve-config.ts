import { z } from 'zod';
import { dashboardConfigShape } from './dashboard-config.js';
import { BackendTargetSchema } from '../cli/backend-target.js';
import { adaptersConfigShape } from './adapters-config.js';
import { Duration } from './duration.js';
import { gatewayConfigShape } from './gateway-config.js';
import { eraConfigShape } from './era-config.js';
import { resilienceConfigShape } from './resilience-config.js';
import { securityConfigShape } from './security-config.js';
import { sessionConfigShape } from './session-config.js';
import { stateConfigShape } from './state-config.js';
import { tlsConfigShape } from './tls-config.js';
import { transportLimitsConfigShape } from './transport-limits-config.js';

/** The default frontend of `switchboard serve`: Streamable HTTP (+ legacy SSE) on loopback. */
export const DEFAULT_LISTEN = 'http://127.0.0.1:3000/mcp';

/** Extra settings of a stdio backend (the command itself is in the backend target). */
const StdioBackendExtras = z.object({
  /** Variables for the child, on top of the minimal inherited set. */
  env: z.record(z.string(), z.string()).default({}),
  /** Pass our whole environment to the child (default false: only HOME, PATH, … are inherited). */
  inheritEnv: z.boolean().default(false),
  /** Working directory of the child. */
  cwd: z.string().optional(),
});

/**
 * The one configuration of `switchboard serve`. The YAML file (`--config`) and the command-line flags
 * both parse into it (flags win); every default lives here.
 */
export const ServeConfigSchema = z
  .object({
    /** The backend; absent = the built-in demo server. */
    backend: BackendTargetSchema.optional(),
    /** stdio backends only. */
    stdio: StdioBackendExtras.prefault({}),
    /** Frontend URIs to serve on (several at once). */
    listen: z.array(z.string().min(1)).min(1).default([DEFAULT_LISTEN]),
    /** `per-session`: each client session gets its own backend. `shared`: one backend for all. */
    sessionMode: z.enum(['per-session', 'shared']).default('per-session'),
    /** Most concurrent client sessions with a backend (a session counts from its first message). */
    maxSessions: z.number().int().positive().default(1000),
    /** Close sessions idle this long, stopping their backend (0 = never; a stdio frontend never idles). */
    idleTimeout: Duration.default(30 * 60_000),
    /** First-message timeout, per-client caps, shared-mode routing (src/config/session-config.ts). */
    ...sessionConfigShape,
    /** Deadline of a request without progress. */
    requestTimeout: Duration.default(60_000),
    /** Hard cap on a request, however much progress it reports. */
    maxRequestTimeout: Duration.default(600_000),
    /** How long in-flight requests may finish on shutdown. */
    shutdownGrace: Duration.default(10_000),
    /**
     * How V8 marks the old generation in this process (docs/raw-frames.md): `atomic` (one pause per full
     * collection: about half the CPU per multi-MiB message, pauses that grow with the heap),
     * `incremental` (V8's default: in steps), or `auto` — atomic until a full collection leaves more than
     * 24 MiB in the old generation, then incremental. Unset: `auto`.
     */
    gc: z.enum(['auto', 'incremental', 'atomic']).optional(),
    /** Largest message in bytes on every hop. */
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .default(32 * 1024 * 1024),
    restart: z
      .object({
        /** Stop restarting after this many fast failures in a row. */
        maxFastFailures: z.number().int().min(1).default(5),
        initialDelay: Duration.default(100),
        maxDelay: Duration.default(10_000),
      })
      .prefault({}),
    http: z
      .object({
        /** Answer requests with a JSON body (`json`) or an SSE stream (`sse`) by default. */
        responseMode: z.enum(['json', 'sse']).default('json'),
        /** Extra allowed Origins (loopback origins are allowed for loopback binds). */
        allowedOrigins: z.array(z.string()).default([]),
        /** Serve the MCP endpoints on HTTP frontends (false: only the adapters and health routes). */
        mcp: z.boolean().default(true),
      })
      .prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** `pretty` for people, `json` for machines; default: pretty on a terminal, json otherwise. */
        format: z.enum(['json', 'pretty']).optional(),
      })
      .prefault({}),
    /** `host:port` of a separate HTTP server for /healthz and /readyz (for non-HTTP frontends). */
    adminBind: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[^\s:/]+):\d+$/, 'expected host:port')
      .optional(),
    /** Resilience, links, compression, metrics/tracing/recording (src/config/resilience-config.ts). */
    ...resilienceConfigShape,
    /** Authentication, authorization, CORS, rate limits, SSRF and command policy (src/config/security-config.ts). */
    ...securityConfigShape,
    /** TLS of the frontends (`tls`) and towards the backend (`backendTls`) (src/config/tls-config.ts). */
    ...tlsConfigShape,
    /** Buffer budget and connection deadlines of the frontends (src/config/transport-limits-config.ts). */
    ...transportLimitsConfigShape,
    /** Many servers behind one endpoint: `servers`, `namespace`, `expose`, `gateway` (src/config/gateway-config.ts). */
    ...gatewayConfigShape,
    /** The backend's protocol era and the era bridge (src/config/era-config.ts). */
    ...eraConfigShape,
    /** REST and GraphQL adapters mounted on the HTTP frontends (src/config/adapters-config.ts). */
    ...adaptersConfigShape,
    /** Shared state in Redis (`state`) and Redis connection settings (`redis`) (src/config/state-config.ts). */
    ...stateConfigShape,
    /** The live dashboard and the front door (src/config/dashboard-config.ts). */
    ...dashboardConfigShape,
  })
  .strict();

/** A validated serve configuration (defaults applied; durations in ms). */
export type ServeConfig = z.infer<typeof ServeConfigSchema>;

/** What a config file or the flags may say before validation. */
export type ServeConfigInput = z.input<typeof ServeConfigSchema>;
