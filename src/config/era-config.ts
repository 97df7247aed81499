import { z } from 'zod';
import { Duration } from './duration.js';

/**
 * The era bridge settings of `switchboard serve` (spread into the serve configuration): which eras the
 * backend speaks, and the MRTR state the proxy issues to 2026-07-28 clients of a 2025 backend.
 */
export const eraConfigShape = {
  /** The backend's protocol era: `auto` (probe `server/discover`, fall back to `initialize`), `2025`, `2026`. */
  backendEra: z.enum(['auto', '2025', '2026']).default('auto'),
  eraBridge: z
    .object({
      /** HMAC key of the `requestState` the proxy issues (hex or base64, ≥ 32 bytes); default: random per start. */
      stateKey: z.string().min(1).optional(),
      /** Lifetime of an issued `requestState`. */
      stateTtl: Duration.default(600_000),
      /** How long a call waits for a 2026-07-28 client to answer its input requests before the 2025 server gets an error. */
      inputTimeout: Duration.default(60_000),
      /** How long the era probe waits for each answer (a silent backend is a 2025 backend). */
      probeTimeout: Duration.default(10_000),
      /** Most proxy-owned 2025 sessions per caller (concurrent calls of one 2026-07-28 client). */
      maxSessionsPerCaller: z.number().int().min(1).default(8),
      /** Most proxy-owned 2025 sessions in total. */
      maxSessions: z.number().int().min(1).default(256),
    })
    .strict()
    .prefault({}),
};
