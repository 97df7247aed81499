import { z } from 'zod';
import { Duration } from './duration.js';

const OneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const HttpUrl = z.url({ protocol: /^https?$/ });

/** Bearer JWT verification. On when a key source is set (here, or `SWITCHBOARD_JWT_SECRET`). */
export const JwtConfigSchema = z
  .object({
    /** HMAC secret (prefer the `SWITCHBOARD_JWT_SECRET` environment variable: argv and files leak). */
    secret: z.string().min(1).optional(),
    /** PEM public key or certificate, or a JWK (JSON) file. */
    publicKeyFile: z.string().min(1).optional(),
    /** JWKS endpoint of the authorization server. */
    jwksUri: HttpUrl.optional(),
    /** Accepted `alg` values (default: all the key can verify; `none` is never accepted). */
    algorithms: z.array(z.string().min(1)).min(1).optional(),
    /** Required issuer(s). */
    issuer: OneOrMany.optional(),
    /** Accepted audience(s). Default: the public URL of each endpoint. */
    audience: OneOrMany.optional(),
    /** Clock skew allowed on exp/nbf/iat. */
    clockSkew: Duration.default(60_000),
    /** How long a fetched JWKS is used. */
    jwksTtl: Duration.default(600_000),
    /** Shortest interval between JWKS fetches (an unknown `kid` refetches at most this often). */
    jwksMinRefetch: Duration.default(30_000),
  })
  .strict();

/** One API key in the config file (prefer `sha256:<hex>` over the key itself). */
const ApiKeySchema = z
  .object({
    id: z.string().min(1).optional(),
    key: z.string().min(1),
    scopes: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** A rule of the authorization policy (see `AuthorizationPolicy`). */
export const PolicyRuleSchema = z
  .object({
    scopes: z.array(z.string().min(1)).optional(),
    claims: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    principals: z.array(z.string().min(1)).optional(),
    tools: z.array(z.string().min(1)).optional(),
    resources: z.array(z.string().min(1)).optional(),
    prompts: z.array(z.string().min(1)).optional(),
  })
  .strict();

const BucketSchema = z
  .object({ rate: z.number().positive(), burst: z.number().int().positive().optional() })
  .strict();

/** The `security` section of the serve configuration. Every default is the safe one. */
export const SecurityConfigSchema = z
  .object({
    jwt: JwtConfigSchema.prefault({}),
    apiKeys: z
      .object({
        /** Header carrying the key. */
        header: z
          .string()
          .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/)
          .default('x-api-key'),
        keys: z.array(ApiKeySchema).default([]),
        /** File of `id:key` lines (keys or `sha256:<hex>`). `SWITCHBOARD_API_KEYS` is read too. */
        file: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    /** Refuse unauthenticated callers even when no scheme is configured (fail closed). */
    requireAuth: z.boolean().default(false),
    /**
     * Listen URIs (exactly as given) that may serve callers without authentication although
     * authentication is configured: `tcp://` and `tls://` without client certificates carry no token.
     */
    allowUnauthenticatedFrontends: z.array(z.string().min(1)).default([]),
    /** The endpoints' public URL (resource identifier, default JWT audience). Default: each listener's URL. */
    publicUrl: HttpUrl.optional(),
    /** RFC 9728 protected resource metadata: served when at least one authorization server is listed. */
    oauth: z
      .object({
        authorizationServers: z.array(HttpUrl).default([]),
        scopesSupported: z.array(z.string().min(1)).default([]),
        resourceName: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** Which tools/resources/prompts each caller may use (no rules: everything). */
    policy: z
      .object({ rules: z.array(PolicyRuleSchema).default([]) })
      .strict()
      .prefault({}),
    /** Browser origins granted CORS on HTTP frontends (`'*'`: any). */
    cors: z
      .object({ origins: z.union([z.literal('*'), z.array(z.string().min(1))]).default([]) })
      .strict()
      .prefault({}),
    /** HTTP frontends: slowloris guards. */
    http: z
      .object({
        /** Time allowed to receive the request headers. */
        headersTimeout: Duration.default(20_000),
        /** Time allowed to receive a whole request (headers and body). */
        requestTimeout: Duration.default(60_000),
      })
      .strict()
      .prefault({}),
    /** HSTS max-age on https frontends, in seconds (0: none). */
    hstsMaxAge: z.number().int().min(0).default(63_072_000),
    /** Token buckets per principal (subject, API key, client certificate or IP). `rate` 0 = off. */
    rateLimit: z
      .object({
        rate: z.number().min(0).default(0),
        burst: z.number().int().positive().optional(),
        tools: z.record(z.string(), BucketSchema).default({}),
        maxKeys: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    /** SSRF guard of backend URLs. */
    backends: z
      .object({
        /** Allow private, link-local, CGNAT, unique-local… addresses. */
        allowPrivate: z.boolean().default(false),
        /** Refuse loopback addresses too. */
        denyLoopback: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Which stdio backends may be spawned. */
    commands: z
      .object({
        /** Executables (names or paths); empty: any. */
        allow: z.array(z.string().min(1)).default([]),
        /** Pattern every argument must match in full. */
        argPattern: z.string().min(1).optional(),
        /**
         * Code-loading interpreter flags allowed by exact name (`--inspect`, `-m`); checked only when
         * `allow` or `argPattern` is set.
         */
        allowFlags: z.array(z.string().min(1)).default([]),
        /** Code-loading child variables (`NODE_OPTIONS`, `LD_PRELOAD`, …) allowed by exact name. */
        allowEnv: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    /** Per-user variables for per-session stdio children (opt-in; see docs/security.md). */
    childEnv: z
      .array(
        z
          .object({
            env: z.string().min(1),
            claim: z.string().min(1).optional(),
            header: z.string().min(1).optional(),
            required: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** The validated `security` section. */
export type SecurityConfig = z.infer<typeof SecurityConfigSchema>;

/** Spread into the serve schema: `{ ...securityConfigShape }`. */
export const securityConfigShape = {
  security: SecurityConfigSchema.prefault({}),
};
