import { z } from 'zod';

/**
 * The live dashboard and front door of `switchboard serve` (spread into the serve configuration).
 * The dashboard is never served on a non-loopback address without authentication.
 */
export const dashboardConfigShape = {
  dashboard: z
    .object({
      /** Serve `/dashboard` on the admin endpoint (`adminBind`). */
      admin: z.boolean().default(true),
      /** Serve `/dashboard` on the HTTP frontends too. */
      frontends: z.boolean().default(false),
      /** Frames kept in the live tail. */
      tailFrames: z.number().int().min(10).max(100_000).default(500),
    })
    .strict()
    .prefault({}),
  /** `GET /` on HTTP frontends: a page for people (JSON for `Accept: application/json`) naming the endpoints. */
  frontDoor: z.boolean().default(true),
};
