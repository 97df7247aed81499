import path from 'node:path';
import type { Command } from 'commander';
import { split as splitShellWords } from 'shlex';
import { z } from 'zod';
import { connect } from '../endpoint/registry.js';
import type { ConnectOptions } from '../endpoint/scheme.js';
import { SwitchboardError } from '../errors.js';
import { redactUrl } from '../observability/redact-url.js';
import type { Transport } from '../transport.js';
import type { StderrMode } from '../transports/stdio-client.js';
import type { TlsClientOptions } from '../transports/tls-options.js';
import type { RedisConnectSettings } from '../queue/redis/redis-settings.js';
import { collect } from './repeatable.js';

/** Values of `--backend`. */
export const BackendKinds = ['stdio', 'tcp', 'tls', 'unix', 'http', 'websocket', 'sse'] as const;

/** A backend kind named by `--backend`. */
export type BackendKind = (typeof BackendKinds)[number];

// URI scheme → the kind a target of that scheme is reported as. Unknown schemes stay `uri` and are
// left to the endpoint registry to accept or refuse (so a newly registered scheme works unchanged).
const KIND_OF_SCHEME: Readonly<Record<string, string>> = {
  tcp: 'tcp',
  tls: 'tls',
  unix: 'unix',
  ws: 'websocket',
  wss: 'websocket',
  http: 'http',
  https: 'http',
  'sse+http': 'sse',
  'sse+https': 'sse',
  memory: 'memory',
};

// Schemes that travel over HTTP (or an HTTP upgrade) and so can carry headers and a bearer token.
const HEADER_SCHEMES = new Set(['http', 'https', 'sse+http', 'sse+https', 'ws', 'wss']);

const HeadersSchema = z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), z.string());

/** The validated description of one backend: a command to spawn, or an endpoint URI. */
export const BackendTargetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('stdio'),
    /** Executable, looked up in `PATH`; never run through a shell. */
    command: z.string().min(1),
    /** Arguments, passed literally. */
    args: z.array(z.string()).default([]),
  }),
  z.object({
    kind: z.literal('uri'),
    /** The endpoint URI (`tcp://…`, `unix:///…`, `ws://…`, `http(s)://…`, `sse+http(s)://…`, `memory:…`). */
    uri: z.string().min(1),
    /** Scheme name, lower case (`tcp`, `sse+https`). */
    scheme: z.string().min(1),
    /** What the scheme is, for display (`tcp`, `websocket`, `http`, `sse`, …). */
    transport: z.string().min(1),
    /** Extra request headers (HTTP, SSE and WebSocket backends only). */
    headers: HeadersSchema.default({}),
    /** Bearer token sent as `Authorization: Bearer …` (HTTP, SSE and WebSocket backends only). */
    authToken: z.string().min(1).optional(),
  }),
]);

/** A typed, validated backend target. See {@link parseBackendTarget}. */
export type BackendTarget = z.infer<typeof BackendTargetSchema>;

/** The flags {@link addBackendTargetOptions} declares, as commander hands them over. */
export interface BackendTargetFlags {
  backend?: string | undefined;
  cmd?: string | undefined;
  tcp?: string | undefined;
  unix?: string | undefined;
  http?: string | undefined;
  /** `--server URL` (alias of `--http`); repeatable for `serve`, where `NAME=…` values name gateway servers. */
  server?: string | readonly string[] | undefined;
  websocket?: string | undefined;
  sse?: string | undefined;
  authToken?: string | undefined;
  header?: string[] | undefined;
}

/** Everything a command line says about its backend. */
export interface BackendTargetInput {
  /** Positional operands before `--` (at most one: the URI). */
  positional?: readonly string[] | undefined;
  /** Operands after `--`: the command and its arguments, for stdio. */
  command?: readonly string[] | undefined;
  flags?: BackendTargetFlags | undefined;
}

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

/**
 * Splits a `--cmd` string into argv the way a POSIX shell splits words (quotes and backslashes),
 * without expanding anything: no variables, globs, operators or substitutions. Nothing runs a shell.
 *
 * @param commandLine - e.g. `python "my server.py" --port 3`
 * @returns the words, e.g. `['python', 'my server.py', '--port', '3']`
 * @throws SwitchboardError `INVALID_OPTIONS` for an unterminated quote or an empty command
 * @example
 * ```ts
 * splitCommandLine("node 'a b.js'"); // ['node', 'a b.js']
 * ```
 */
export function splitCommandLine(commandLine: string): string[] {
  let words: string[];
  try {
    words = splitShellWords(commandLine);
  } catch (cause) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--cmd: cannot split "${commandLine}": unterminated quote`,
      {
        cause,
      },
    );
  }
  if (words.length === 0 || words[0] === '') throw usage('--cmd: the command is empty');
  return words;
}

function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = colon > 0 ? raw.slice(0, colon).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw usage(`--header "${raw}": expected "Name: value"`);
  }
  return [name, raw.slice(colon + 1).trim()];
}

function uriTarget(uri: string, flags: BackendTargetFlags): BackendTarget {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw usage(
      `"${uri}" is not a backend URI (tcp://…, unix:///…, ws://…, http(s)://…, sse+http(s)://…, memory:…); for a command use: -- <command> [args…]`,
    );
  }
  if (scheme === 'stdio')
    throw usage('stdio backends are given as a command: -- <command> [args…] or --cmd "…"');
  const headers = Object.fromEntries((flags.header ?? []).map(parseHeader));
  if ((Object.keys(headers).length > 0 || flags.authToken !== undefined) && !HEADER_SCHEMES.has(scheme)) {
    throw usage(`--header/--auth-token apply to http, sse and websocket backends, not "${scheme}:"`);
  }
  return BackendTargetSchema.parse({
    kind: 'uri',
    uri,
    scheme,
    transport: KIND_OF_SCHEME[scheme] ?? scheme,
    headers,
    authToken: flags.authToken,
  });
}

// The seed-style flag of each backend kind, turned into a URI.
function uriFromKindFlag(
  kind: Exclude<BackendKind, 'stdio'>,
  flags: BackendTargetFlags & { server?: string | undefined },
): string | undefined {
  switch (kind) {
    case 'tcp':
    case 'tls': {
      if (flags.tcp === undefined) return undefined;
      if (!/^[^\s/]+:\d+$/.test(flags.tcp)) throw usage(`--tcp "${flags.tcp}": expected host:port`);
      return `${kind}://${flags.tcp}`;
    }
    case 'unix':
      return flags.unix === undefined ? undefined : `unix://${path.resolve(flags.unix)}`;
    case 'http':
      return flags.http ?? flags.server;
    case 'websocket':
      return flags.websocket;
    case 'sse':
      if (flags.sse === undefined) return undefined;
      return /^sse\+/i.test(flags.sse) ? flags.sse : `sse+${flags.sse}`;
  }
}

/**
 * Turns what a command line says about its backend into a validated {@link BackendTarget}. Accepts
 * exactly one of: a URI operand; `-- <command> [args…]`; `--backend stdio --cmd "…"`; or a seed-style
 * flag (`--tcp host:port`, `--unix /path`, `--http URL` / `--server URL`, `--websocket URL`, `--sse URL`,
 * with or without the matching `--backend`).
 *
 * @param input - operands and flags as parsed by commander
 * @throws SwitchboardError `INVALID_OPTIONS` (a usage error) naming what is wrong
 * @example
 * ```ts
 * parseBackendTarget({ command: ['python', 'server.py'] });
 * // { kind: 'stdio', command: 'python', args: ['server.py'] }
 * parseBackendTarget({ flags: { backend: 'tcp', tcp: '127.0.0.1:7000' } });
 * // { kind: 'uri', uri: 'tcp://127.0.0.1:7000', scheme: 'tcp', transport: 'tcp', headers: {} }
 * ```
 */
export function parseBackendTarget(input: BackendTargetInput): BackendTarget {
  const flags = serverAlias(input.flags ?? {});
  const positional = input.positional ?? [];
  const command = input.command ?? [];
  if (flags.backend !== undefined && !(BackendKinds as readonly string[]).includes(flags.backend)) {
    throw usage(`--backend "${flags.backend}": expected one of ${BackendKinds.join(', ')}`);
  }
  if (flags.http !== undefined && flags.server !== undefined)
    throw usage('give --http or --server, not both');
  if (positional.length > 1) {
    throw usage(`expected one backend URI, got ${positional.length} operands; put a command after "--"`);
  }

  const kindFlags: [Exclude<BackendKind, 'stdio'>, string | undefined][] = [
    ['tcp', flags.tcp],
    ['unix', flags.unix],
    ['http', flags.http ?? flags.server],
    ['websocket', flags.websocket],
    ['sse', flags.sse],
  ];
  const given = kindFlags.filter(([, value]) => value !== undefined).map(([kind]) => kind);
  const forms = [
    positional.length > 0 ? 'a URI operand' : undefined,
    command.length > 0 ? '"-- <command>"' : undefined,
    flags.cmd !== undefined ? '--cmd' : undefined,
    ...given.map((kind) => `--${kind === 'http' && flags.server !== undefined ? 'server' : kind}`),
  ].filter((f): f is string => f !== undefined);
  if (forms.length === 0) {
    throw usage(
      'no backend: give a URI, "-- <command> [args…]", --cmd "…", or one of --tcp/--unix/--http/--websocket/--sse',
    );
  }
  if (forms.length > 1) throw usage(`give one backend, not ${forms.join(' and ')}`);

  const backend = flags.backend as BackendKind | undefined;
  if (command.length > 0 || flags.cmd !== undefined) {
    if (backend !== undefined && backend !== 'stdio') {
      throw usage(`--backend ${backend} does not take a command; use --backend stdio`);
    }
    if (flags.header !== undefined || flags.authToken !== undefined) {
      throw usage('--header/--auth-token apply to http, sse and websocket backends, not stdio');
    }
    const argv = flags.cmd !== undefined ? splitCommandLine(flags.cmd) : [...command];
    const [executable = '', ...args] = argv;
    if (executable === '') throw usage('the command is empty');
    return BackendTargetSchema.parse({ kind: 'stdio', command: executable, args });
  }
  if (positional[0] !== undefined) {
    if (backend !== undefined)
      throw usage('--backend goes with its flag (e.g. --backend tcp --tcp host:port), not a URI');
    return uriTarget(positional[0], flags);
  }
  const flagKind = given[0] as Exclude<BackendKind, 'stdio'>;
  const kind = backend ?? flagKind;
  if (kind === 'stdio') throw usage('--backend stdio needs --cmd "…" or "-- <command> [args…]"');
  // `--backend tls --tcp host:port` is TLS over the TCP address flag.
  const uri = uriFromKindFlag(kind, flags);
  if (uri === undefined || (kind !== flagKind && !(kind === 'tls' && flagKind === 'tcp'))) {
    throw usage(`--backend ${kind} needs --${kind === 'tls' ? 'tcp' : kind} …, not --${flagKind}`);
  }
  return uriTarget(uri, flags);
}

/** `--server` as the single `--http` alias it is here (named gateway servers belong to `serve`). */
function serverAlias(flags: BackendTargetFlags): BackendTargetFlags & { server?: string | undefined } {
  if (flags.server === undefined || typeof flags.server === 'string')
    return flags as BackendTargetFlags & { server?: string };
  const values = flags.server;
  if (values.length > 1) throw usage(`give one --server URL, not ${values.length}`);
  const value = values[0];
  if (value !== undefined && /^[A-Za-z0-9][A-Za-z0-9_.-]*=/.test(value)) {
    throw usage(`--server "${value}": named servers (NAME=URI) make a gateway: switchboard serve --server …`);
  }
  return { ...flags, server: value };
}

/** Options of {@link openBackend}. */
export interface OpenBackendOptions {
  /** Largest message in bytes (the registry's default when unset). */
  maxMessageBytes?: number | undefined;
  /** What to do with a stdio child's stderr (default `inherit`). */
  stderr?: StderrMode | undefined;
  /** Variables for a stdio child, on top of the minimal inherited set. */
  env?: Record<string, string> | undefined;
  /** Working directory of a stdio child. */
  cwd?: string | undefined;
  /** Pass our whole environment to a stdio child (default false: HOME, PATH, … only). */
  inheritEnv?: boolean | undefined;
  /** WebSocket permessage-deflate towards `ws://`/`wss://` backends (default off). */
  websocketCompression?: boolean | undefined;
  /** TLS settings (CA, client certificate) for `tls://`, `wss://`, `https://`, `sse+https://` backends. */
  tls?: TlsClientOptions | undefined;
  /** For `redis://`/`rediss://` worker-pool backends: TLS towards Redis, connection settings. */
  redis?: RedisConnectSettings | undefined;
  /**
   * Adjusts the connect options of a URI backend, e.g. the SSRF guard (`SsrfGuard.connectOptions`) pinning
   * name resolution to vetted addresses.
   */
  guard?: { connectOptions(uri: string, options: ConnectOptions): ConnectOptions } | undefined;
}

/**
 * The HTTP headers a target asks for: its `--header`s plus `Authorization: Bearer <token>`.
 *
 * @param target - a URI target
 */
export function backendHeaders(target: BackendTarget): Record<string, string> {
  if (target.kind !== 'uri') return {};
  const headers = { ...target.headers };
  if (target.authToken !== undefined) headers.Authorization = `Bearer ${target.authToken}`;
  return headers;
}

/**
 * Creates the *unstarted* client transport for a backend through the endpoint registry; the SDK's
 * `connect()` starts it.
 *
 * @param target - from {@link parseBackendTarget}
 * @param options - limits and stdio child settings
 * @throws SwitchboardError `INVALID_URI` / `UNSUPPORTED_SCHEME` / `INVALID_OPTIONS` from the registry
 * @example
 * ```ts
 * await client.connect(openBackend(parseBackendTarget({ command: ['python', 'server.py'] })));
 * ```
 */
export function openBackend(target: BackendTarget, options: OpenBackendOptions = {}): Transport {
  const connectOptions: ConnectOptions = { maxMessageBytes: options.maxMessageBytes, tls: options.tls };
  if (target.kind === 'stdio') {
    return connect('stdio:', {
      ...connectOptions,
      stdio: {
        command: target.command,
        args: target.args,
        stderr: options.stderr,
        env: options.env,
        cwd: options.cwd,
        inheritEnv: options.inheritEnv,
      },
    });
  }
  // The HTTP-borne schemes read their headers from their own option keys; the others ignore them.
  const headers = target.headers;
  const hasHeaders = Object.keys(headers).length > 0;
  const uriOptions: ConnectOptions = {
    ...connectOptions,
    ...(options.redis ? { redis: options.redis } : {}),
    http: {
      ...(hasHeaders ? { headers } : {}),
      ...(target.authToken !== undefined ? { token: target.authToken } : {}),
    },
    websocket: {
      ...(hasHeaders || target.authToken !== undefined ? { headers: backendHeaders(target) } : {}),
      ...(options.websocketCompression ? { perMessageDeflate: true } : {}),
    },
  };
  return connect(
    target.uri,
    options.guard ? options.guard.connectOptions(target.uri, uriOptions) : uriOptions,
  );
}

/**
 * A one-line description of a target for humans, without secrets: no token, no user name or password
 * of the URI, no query-parameter values (`?key=***`).
 *
 * @param target - the target to describe
 */
export function describeBackendTarget(target: BackendTarget): string {
  if (target.kind === 'stdio') return [target.command, ...target.args].map(quoteForDisplay).join(' ');
  return redactUrl(target.uri);
}

function quoteForDisplay(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Declares the backend-target flags on a command (shared by `inspect`, `schema` and `serve`).
 *
 * @param command - the commander command to extend
 * @returns the same command
 */
export function addBackendTargetOptions(command: Command): Command {
  return command
    .option('--backend <kind>', `backend kind: ${BackendKinds.join(' | ')}`)
    .option('--cmd <command>', 'stdio backend: command line, split into words (never run through a shell)')
    .option('--tcp <host:port>', 'tcp backend address (also tls with --backend tls)')
    .option('--unix <path>', 'unix socket backend path')
    .option('--http <url>', 'streamable HTTP backend URL')
    .option(
      '--server <url>',
      "alias of --http; with serve: NAME=URI or NAME='command args' adds a named server (a gateway), repeatable",
      collect,
    )
    .option('--websocket <url>', 'WebSocket backend URL')
    .option('--sse <url>', 'legacy HTTP+SSE backend URL')
    .option('--auth-token <token>', 'bearer token for http/sse/websocket backends')
    .option('--header <name: value>', 'extra header for http/sse/websocket backends (repeatable)', collect);
}

/**
 * Splits a command's operands into the URI operand(s) before `--` and the command after it.
 * Commander merges both into one list, so the raw argv tells where `--` was.
 *
 * @param operands - the command's operands as commander parsed them
 * @param rawArgs - the raw argv of the program (`program.rawArgs`)
 * @param commandName - the subcommand's name, to find its part of argv
 */
export function splitOperands(
  operands: readonly string[],
  rawArgs: readonly string[],
  commandName: string,
): { positional: string[]; command: string[] } {
  const start = rawArgs.indexOf(commandName);
  const dashDash = rawArgs.indexOf('--', start < 0 ? 0 : start);
  if (dashDash < 0) return { positional: [...operands], command: [] };
  const after = rawArgs.length - dashDash - 1;
  return {
    positional: operands.slice(0, operands.length - after),
    command: operands.slice(operands.length - after),
  };
}
