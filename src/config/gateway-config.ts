import { z } from 'zod';
import { SwitchboardError } from '../errors.js';
import { Namespace, type NamespaceOption } from '../gateway/namespace.js';
import { Duration } from './duration.js';
import {
  BreakerConfigSchema,
  BulkheadConfigSchema,
  HealthConfigSchema,
  RetryConfigSchema,
} from './resilience-config.js';
import { BackendTlsSchema } from './tls-config.js';

const Globs = z.array(z.string().min(1));

/** Allow/deny globs of one kind (`*` matches any run of characters). */
export const GlobRulesSchema = z.object({ allow: Globs.optional(), deny: Globs.optional() }).strict();

/**
 * One server behind the gateway: a command (stdio, supervised) or a URL (any backend scheme), plus the
 * per-backend options `serve` has. Options left out take the top-level value (`sessionMode`,
 * `requestTimeout`, `restart`, `backendTls`, `resilience.*`, and `stdio.env`/`cwd`/`inheritEnv` for
 * commands).
 */
export const GatewayServerSchema = z
  .object({
    /** Executable of a stdio server (never run through a shell). */
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    /** Variables for the child, on top of `stdio.env` (values may use `${VAR}`). */
    env: z.record(z.string(), z.string()).default({}),
    inheritEnv: z.boolean().optional(),
    cwd: z.string().min(1).optional(),
    /** Endpoint URI of a network server: `http(s)://`, `sse+http(s)://`, `ws(s)://`, `tcp://`, `unix://`, … */
    url: z.string().min(1).optional(),
    /** Request headers (http, sse, websocket servers); values may use `${VAR}`. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Bearer token (http, sse, websocket servers); may use `${VAR}`. */
    authToken: z.string().min(1).optional(),
    sessionMode: z.enum(['per-session', 'shared']).optional(),
    requestTimeout: Duration.optional(),
    maxRequestTimeout: Duration.optional(),
    restart: z
      .object({
        maxFastFailures: z.number().int().min(1).optional(),
        initialDelay: Duration.optional(),
        maxDelay: Duration.optional(),
      })
      .strict()
      .optional(),
    /** Replaces the top-level `backendTls` for this server. */
    backendTls: BackendTlsSchema.optional(),
    /** Sections given here replace the top-level ones for this server. */
    resilience: z
      .object({
        retry: RetryConfigSchema.optional(),
        circuitBreaker: BreakerConfigSchema.optional(),
        bulkhead: BulkheadConfigSchema.optional(),
        health: HealthConfigSchema.optional(),
      })
      .strict()
      .optional(),
    /** Which tools (by the server's own names) the gateway shows. */
    tools: GlobRulesSchema.optional(),
    /** Which prompts (by the server's own names) the gateway shows. */
    prompts: GlobRulesSchema.optional(),
    /** Which resources and templates (by URI) the gateway shows. */
    resources: GlobRulesSchema.optional(),
  })
  .strict()
  .refine((s) => (s.command === undefined) !== (s.url === undefined), {
    message: 'give either "command" (a stdio server) or "url" (a network server)',
  });

/** One validated server. */
export type GatewayServerConfig = z.infer<typeof GatewayServerSchema>;

/**
 * The keys the gateway adds to the `serve` configuration (spread into `ServeConfigSchema`). With
 * `servers`, `serve` becomes a gateway.
 */
export const gatewayConfigShape = {
  /** Named servers: their names are their namespaces (`<name>__<tool>`). */
  servers: z.record(z.string(), GatewayServerSchema).optional(),
  /** `{ separator: '__' }` (default) or `false` (names unchanged; a single server only). */
  namespace: z
    .union([z.literal(false), z.object({ separator: z.string().min(1).default('__') }).strict()])
    .default({ separator: '__' }),
  /** Virtual servers: a listen URI → the globs of what its sessions see (`files__read_*`, URIs). */
  expose: z.record(z.string(), Globs.min(1)).default({}),
  /** The gateway itself. */
  gateway: z
    .object({
      /** `serverInfo.name` in `initialize` / `server/discover`. */
      name: z.string().min(1).default('switchboard-gateway'),
      /** Text before the servers' own instructions. */
      instructions: z.string().optional(),
      /** Delay before a server that went down is tried again. */
      probeInterval: Duration.default(30_000),
      /** How long startup waits for the servers' first listings. */
      startTimeout: Duration.default(30_000),
      /** Deadline of the gateway's own requests (handshakes, lists). */
      catalogTimeout: Duration.default(30_000),
      /** Items per page of merged lists. */
      pageSize: z.number().int().positive().default(1000),
    })
    .strict()
    .prefault({}),
};

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

/**
 * YAML `listen` entries may be objects (`{ uri, expose }`, a virtual server): turns them into plain URIs
 * plus `expose` entries, so the rest of the configuration sees URIs only.
 *
 * @param raw - the configuration as read from the file
 * @returns a copy with `listen` as URIs and `expose` extended
 * @throws SwitchboardError `INVALID_OPTIONS` for a malformed entry
 */
export function liftListenEntries(raw: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(raw.listen)) return raw;
  const expose: Record<string, unknown> = { ...(raw.expose as Record<string, unknown> | undefined) };
  const listen = raw.listen.map((entry: unknown, i) => {
    if (typeof entry === 'string') return entry;
    const e = entry as { uri?: unknown; expose?: unknown } | null;
    if (typeof e?.uri !== 'string' || Object.keys(e).some((k) => k !== 'uri' && k !== 'expose')) {
      throw usage(`listen[${i}]: expected a URI or { uri, expose: [globs] }`);
    }
    if (e.expose !== undefined) expose[e.uri] = e.expose;
    return e.uri;
  });
  return { ...raw, listen, ...(Object.keys(expose).length > 0 ? { expose } : {}) };
}

const SERVER_FLAG = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.*)$/s;

/** `true` for a `--server` value that names a gateway server (`NAME=URI` or `NAME=command args`). */
export function isNamedServerFlag(value: string): boolean {
  return SERVER_FLAG.test(value) && !/^[a-z][a-z0-9+.-]*:/i.test(value);
}

/**
 * Parses `--server NAME=URI` / `--server NAME='command args'` into a server entry.
 *
 * @param splitCommand - splits a command line into words (no shell)
 * @throws SwitchboardError `INVALID_OPTIONS` for a value without a name or target
 */
export function parseServerFlag(
  value: string,
  splitCommand: (line: string) => string[],
): { name: string; server: { url: string } | { command: string; args: string[] } } {
  const m = SERVER_FLAG.exec(value);
  const name = m?.[1];
  const target = m?.[2]?.trim() ?? '';
  if (name === undefined || target === '') {
    throw usage(`--server "${value}": expected NAME=URI or NAME='command args'`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/?\/?/i.test(target) && !/\s/.test(target))
    return { name, server: { url: target } };
  const [command = '', ...args] = splitCommand(target);
  return { name, server: { command, args } };
}

/**
 * Replaces `${VAR}` in a value with the variable's value.
 *
 * @param where - names the setting in the error
 * @throws SwitchboardError `INVALID_OPTIONS` for a variable that is not set
 * @example
 * ```ts
 * interpolateEnv('Bearer ${TOKEN}', 'servers.files.headers', { TOKEN: 't' }); // 'Bearer t'
 * ```
 */
export function interpolateEnv(value: string, where: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const v = env[name];
    if (v === undefined) throw usage(`${where}: environment variable ${name} is not set`);
    return v;
  });
}

const TARGET_KEYS = ['command', 'args', 'url', 'headers', 'authToken'];

/**
 * Adds the `--server NAME=…` flags to the raw configuration: a flag replaces the target (command or
 * URL) of a server of that name from the file and keeps its other settings.
 *
 * @param merged - the raw configuration being built (changed in place)
 * @param values - the `NAME=…` values, in order
 */
export function applyServerFlags(
  merged: Record<string, unknown>,
  values: readonly string[],
  splitCommand: (line: string) => string[],
): void {
  if (values.length === 0) return;
  const servers: Record<string, unknown> = { ...(merged.servers as Record<string, unknown> | undefined) };
  for (const value of values) {
    const { name, server } = parseServerFlag(value, splitCommand);
    const kept = { ...(servers[name] as Record<string, unknown> | undefined) };
    for (const key of TARGET_KEYS) delete kept[key];
    servers[name] = { ...kept, ...server };
  }
  merged.servers = servers;
}

/**
 * Cross-checks of a gateway configuration the schema cannot express.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` naming the fix
 */
export function checkGatewayConfig(config: {
  servers?: Record<string, unknown> | undefined;
  backend?: unknown;
  listen: readonly string[];
  expose: Readonly<Record<string, unknown>>;
  namespace: NamespaceOption;
}): void {
  const exposed = Object.keys(config.expose);
  if (config.servers === undefined) {
    if (exposed.length > 0) throw usage('expose (virtual servers) needs servers: (a gateway)');
    return;
  }
  if (config.backend !== undefined) {
    throw usage('give named servers (servers: / --server NAME=…) or one backend, not both');
  }
  if (Object.keys(config.servers).length === 0) throw usage('servers: is empty');
  // Names that cannot be told apart are a startup error, before anything starts.
  new Namespace(config.namespace, Object.keys(config.servers));
  for (const uri of exposed) {
    if (!config.listen.includes(uri)) throw usage(`expose: "${uri}" is not one of the listen URIs`);
  }
  // Each listen URI binds a listener of its own: two paths on one port would clash.
  const bound = new Map<string, string>();
  for (const uri of config.listen) {
    const m = /^(https?|wss?|tcp|tls):\/\/([^/]+)/i.exec(uri);
    const address = m?.[2];
    if (address === undefined || address.endsWith(':0')) continue;
    const other = bound.get(address);
    if (other !== undefined) {
      throw usage(
        `listen: ${other} and ${uri} share ${address}; each listen URI is a listener of its own — give the virtual server its own port (or a unix:// socket)`,
      );
    }
    bound.set(address, uri);
  }
}
