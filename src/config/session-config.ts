import { z } from 'zod';
import { Duration } from './duration.js';

const Cap = z.number().int().min(0);

/**
 * Per-client caps of `serve` (0 = no cap): sessions (silent ones included) and sessions with a started
 * backend (per-session mode: a child or backend connection each).
 */
const ClientCapsSchema = (sessions: number, backends: number) =>
  z.object({ sessions: Cap.default(sessions), backends: Cap.default(backends) }).strict();

/**
 * Session-resource settings of `switchboard serve`, spread into the serve configuration
 * (src/config/serve-config.ts). `idleTimeout` and `maxSessions` live there.
 */
export const sessionConfigShape = {
  /** Close a session that sent nothing this long after it opened (0 = never). */
  firstMessageTimeout: Duration.default(30_000),
  /** Caps per authenticated principal and per remote address (IPv4, or IPv6 /64). */
  clientLimits: z
    .object({
      perPrincipal: ClientCapsSchema(100, 20).prefault({}),
      perAddress: ClientCapsSchema(200, 50)
        .extend({
          /** Count loopback peers too (default false: a local reverse proxy is one address for many users). */
          loopback: z.boolean().default(false),
        })
        .prefault({}),
    })
    .strict()
    .prefault({}),
  /** Shared mode only. */
  shared: z
    .object({
      /**
       * How long a call whose client stopped waiting may still be running at the server (and call back):
       * meanwhile its session stays a possible owner of unmarked backend messages.
       */
      abandonedCallTtl: Duration.default(60_000),
    })
    .strict()
    .prefault({}),
};
