import type { Command } from 'commander';
import { SwitchboardError } from '../../errors.js';
import { collect } from '../repeatable.js';

/** The flags {@link addSecurityOptions} declares, as commander hands them over. */
export interface SecurityFlags {
  jwtSecret?: string;
  jwtPublicKey?: string;
  jwtJwksUri?: string;
  jwtAlgorithm?: string[];
  jwtIssuer?: string[];
  jwtAudience?: string[];
  jwtClockSkew?: string;
  apiKeyHeader?: string;
  apiKeysFile?: string;
  requireAuth?: boolean;
  publicUrl?: string;
  authorizationServer?: string[];
  scope?: string[];
  cors?: string[];
  rateLimit?: string;
  rateBurst?: string;
  allowPrivateBackends?: boolean;
  denyLoopbackBackends?: boolean;
  allowCommand?: string[];
  allowArgs?: string;
  allowFlag?: string[];
  allowEnv?: string[];
  allowUnauthenticatedFrontend?: string[];
  childEnv?: string[];
}

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);
const collectList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
];

/**
 * Declares the security flags of `switchboard serve`.
 *
 * @param command - the serve command
 * @returns the same command
 */
export function addSecurityOptions(command: Command): Command {
  return command
    .option(
      '--jwt-secret <secret>',
      'HMAC secret for bearer JWTs (prefer the SWITCHBOARD_JWT_SECRET variable)',
    )
    .option('--jwt-public-key <file>', 'PEM public key/certificate or JWK file verifying bearer JWTs')
    .option('--jwt-jwks-uri <url>', 'JWKS endpoint verifying bearer JWTs (cached; unknown kid refetches)')
    .option('--jwt-algorithm <alg>', 'accepted JWT algorithm(s), repeatable or comma-separated', collectList)
    .option('--jwt-issuer <iss>', 'required JWT issuer, repeatable', collect)
    .option(
      '--jwt-audience <aud>',
      'accepted JWT audience, repeatable (default: the endpoint public URL)',
      collect,
    )
    .option('--jwt-clock-skew <duration>', 'clock skew allowed on exp/nbf/iat (default 60s)')
    .option('--api-key-header <name>', 'header carrying API keys (default x-api-key)')
    .option(
      '--api-keys-file <file>',
      'file of id:key lines (or sha256:<hex>); SWITCHBOARD_API_KEYS is read too',
    )
    .option('--require-auth', 'refuse unauthenticated callers, even with no scheme configured (fail closed)')
    .option(
      '--allow-unauthenticated-frontend <uri>',
      'serve this --listen URI (tcp://, tls:// without client CA) unauthenticated although auth is configured',
      collect,
    )
    .option('--public-url <url>', 'public URL of the endpoint (OAuth resource, default JWT audience)')
    .option(
      '--authorization-server <url>',
      'OAuth authorization server for the protected resource metadata, repeatable',
      collect,
    )
    .option('--scope <scope>', 'scope advertised in the protected resource metadata, repeatable', collect)
    .option(
      '--cors <origin>',
      'browser origin granted CORS on HTTP frontends, repeatable ("*": any)',
      collect,
    )
    .option('--rate-limit <n>', 'requests per second per caller (token, API key or IP), e.g. 10 or 10/s')
    .option('--rate-burst <n>', 'requests a caller may make at once (default: the rate)')
    .option('--allow-private-backends', 'let backend URLs reach private, link-local, CGNAT… addresses')
    .option('--deny-loopback-backends', 'refuse backend URLs on loopback addresses too')
    .option('--allow-command <command>', 'stdio backend executable allowed to run, repeatable', collect)
    .option('--allow-args <regex>', 'every stdio backend argument must match this pattern')
    .option(
      '--allow-flag <flag>',
      'code-loading interpreter flag allowed by exact name (e.g. --inspect, -m), repeatable',
      collect,
    )
    .option(
      '--allow-env <NAME>',
      'code-loading child variable allowed by exact name (e.g. NODE_OPTIONS), repeatable',
      collect,
    )
    .option(
      '--child-env <NAME=claim:c|header:h>',
      "per-session child variable from the caller's claim or header, repeatable",
      collect,
    );
}

function section(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const current = parent[key];
  const copy =
    typeof current === 'object' && current !== null ? { ...(current as Record<string, unknown>) } : {};
  parent[key] = copy;
  return copy;
}

function positiveNumber(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(value.trim());
  if (!m?.[1] || Number(m[1]) <= 0)
    throw usage(`--${name} "${value}": expected a positive number (per second)`);
  return Number(m[1]);
}

function childEnvFlag(raw: string): { env: string; claim?: string; header?: string } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(claim|header):(.+)$/.exec(raw);
  if (!m?.[1] || !m[2] || !m[3])
    throw usage(`--child-env "${raw}": expected NAME=claim:<claim> or NAME=header:<header>`);
  return m[2] === 'claim' ? { env: m[1], claim: m[3] } : { env: m[1], header: m[3] };
}

/**
 * Writes what the security flags say into the raw configuration (before validation); flags win over
 * the file, list flags replace the file's list.
 *
 * @param merged - the raw configuration being built by `resolveServeConfig`
 * @throws SwitchboardError `INVALID_OPTIONS` for malformed values
 */
export function applySecurityFlags(merged: Record<string, unknown>, flags: SecurityFlags): void {
  const security = section(merged, 'security');
  const set = (target: Record<string, unknown>, key: string, value: unknown): void => {
    if (value !== undefined) target[key] = value;
  };
  if (
    [
      flags.jwtSecret,
      flags.jwtPublicKey,
      flags.jwtJwksUri,
      flags.jwtAlgorithm,
      flags.jwtIssuer,
      flags.jwtAudience,
      flags.jwtClockSkew,
    ].some((v) => v !== undefined)
  ) {
    const jwt = section(security, 'jwt');
    set(jwt, 'secret', flags.jwtSecret);
    set(jwt, 'publicKeyFile', flags.jwtPublicKey);
    set(jwt, 'jwksUri', flags.jwtJwksUri);
    set(jwt, 'algorithms', flags.jwtAlgorithm);
    set(jwt, 'issuer', flags.jwtIssuer);
    set(jwt, 'audience', flags.jwtAudience);
    set(jwt, 'clockSkew', flags.jwtClockSkew);
  }
  if (flags.apiKeyHeader !== undefined || flags.apiKeysFile !== undefined) {
    const apiKeys = section(security, 'apiKeys');
    set(apiKeys, 'header', flags.apiKeyHeader);
    set(apiKeys, 'file', flags.apiKeysFile);
  }
  if (flags.requireAuth === true) security.requireAuth = true;
  set(security, 'publicUrl', flags.publicUrl);
  if (flags.authorizationServer !== undefined || flags.scope !== undefined) {
    const oauth = section(security, 'oauth');
    set(oauth, 'authorizationServers', flags.authorizationServer);
    set(oauth, 'scopesSupported', flags.scope);
  }
  if (flags.cors !== undefined)
    section(security, 'cors').origins = flags.cors.includes('*') ? '*' : flags.cors;
  if (flags.rateLimit !== undefined || flags.rateBurst !== undefined) {
    const rate = section(security, 'rateLimit');
    if (flags.rateLimit !== undefined) rate.rate = positiveNumber('rate-limit', flags.rateLimit);
    if (flags.rateBurst !== undefined)
      rate.burst = Math.max(1, Math.floor(positiveNumber('rate-burst', flags.rateBurst)));
  }
  if (flags.allowPrivateBackends === true || flags.denyLoopbackBackends === true) {
    const backends = section(security, 'backends');
    if (flags.allowPrivateBackends === true) backends.allowPrivate = true;
    if (flags.denyLoopbackBackends === true) backends.denyLoopback = true;
  }
  if ([flags.allowCommand, flags.allowArgs, flags.allowFlag, flags.allowEnv].some((v) => v !== undefined)) {
    const commands = section(security, 'commands');
    set(commands, 'allow', flags.allowCommand);
    set(commands, 'argPattern', flags.allowArgs);
    set(commands, 'allowFlags', flags.allowFlag);
    set(commands, 'allowEnv', flags.allowEnv);
  }
  set(security, 'allowUnauthenticatedFrontends', flags.allowUnauthenticatedFrontend);
  if (flags.childEnv !== undefined) security.childEnv = flags.childEnv.map(childEnvFlag);
}
