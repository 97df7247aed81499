/**
 * The vocabulary both translating stages share: the 2026-07-28 per-request `_meta` envelope, result
 * stamping in each direction, and capability mapping.
 */
import type { JSONRPCMessage, MessageParams } from '../protocol/messages.js';
import { MetaKey, MODERN_PROTOCOL_VERSION, eraOf } from '../protocol/versions.js';
import { copyWith, copyWithout } from './shallow-copy.js';

/** The 2025-era revision the bridge speaks to legacy peers when it must choose one. */
export const LEGACY_PROTOCOL_VERSION = '2025-11-25';

/** Requests that may answer with `input_required` in 2026-07-28 (and, in 2025, raise server→client requests). */
export const MRTR_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** Results that must carry `ttlMs`/`cacheScope` in 2026-07-28. */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set([
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);

/** The server→client requests that MRTR carries as `inputRequests`. */
export const INPUT_REQUEST_METHODS: ReadonlySet<string> = new Set([
  'elicitation/create',
  'sampling/createMessage',
  'roots/list',
]);

/** Log levels by severity (RFC 5424 order, least severe first). */
const LOG_SEVERITY: Readonly<Record<string, number>> = {
  debug: 0,
  info: 1,
  notice: 2,
  warning: 3,
  error: 4,
  critical: 5,
  alert: 6,
  emergency: 7,
};

/** `true` when a log message at `level` passes a `threshold` (unknown levels pass). */
export function logLevelPasses(level: unknown, threshold: string): boolean {
  const l = typeof level === 'string' ? LOG_SEVERITY[level] : undefined;
  const t = LOG_SEVERITY[threshold];
  return l === undefined || t === undefined || l >= t;
}

/** What a 2026-07-28 request says about its client in `params._meta`. */
export interface ModernEnvelope {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo: { name: string; version: string; [key: string]: unknown } | undefined;
  logLevel: string | undefined;
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set([
  MetaKey.protocolVersion,
  MetaKey.clientCapabilities,
  MetaKey.clientInfo,
  MetaKey.logLevel,
]);

/** Result members 2026-07-28 added; a 2025-era peer gets results without them. */
const MODERN_RESULT_KEYS: ReadonlySet<string> = new Set(['resultType', 'ttlMs', 'cacheScope']);
const MODERN_RESULT_AND_META_KEYS: ReadonlySet<string> = new Set([...MODERN_RESULT_KEYS, '_meta']);
const META_KEY: ReadonlySet<string> = new Set(['_meta']);
const EXECUTION_KEY: ReadonlySet<string> = new Set(['execution']);
const TASKS_KEY: ReadonlySet<string> = new Set(['tasks']);
const EXTENSIONS_KEY: ReadonlySet<string> = new Set(['extensions']);
const SERVER_INFO_KEY: ReadonlySet<string> = new Set([MetaKey.serverInfo]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The modern envelope a message declares, or `undefined` for a 2025-era (or unversioned) message.
 * Cheap: one property read for messages without `_meta`.
 */
export function modernEnvelopeOf(message: JSONRPCMessage): ModernEnvelope | undefined {
  const found = (message.params as MessageParams | undefined)?._meta as unknown;
  // Not an object (`null` included: a malformed `_meta`): a 2025-era message.
  if (typeof found !== 'object' || found === null) return undefined;
  const meta = found as Record<string, unknown>;
  const version = meta[MetaKey.protocolVersion];
  if (typeof version !== 'string' || eraOf(version) !== 'stateless') return undefined;
  const caps = meta[MetaKey.clientCapabilities];
  const info = meta[MetaKey.clientInfo];
  const level = meta[MetaKey.logLevel];
  return {
    protocolVersion: version,
    clientCapabilities: isRecord(caps) ? caps : {},
    clientInfo:
      isRecord(info) && typeof info.name === 'string' && typeof info.version === 'string'
        ? (info as ModernEnvelope['clientInfo'])
        : undefined,
    logLevel: typeof level === 'string' ? level : undefined,
  };
}

/** `true` for a message a 2026-07-28 client sends (envelope present, or the `server/discover` probe). */
export function isModernClientMessage(message: JSONRPCMessage): boolean {
  return message.method === 'server/discover' || modernEnvelopeOf(message) !== undefined;
}

/** `params` without the envelope keys (and without an emptied `_meta`), for a 2025-era peer. */
export function stripEnvelope(params: MessageParams | undefined): MessageParams | undefined {
  const meta = params?._meta;
  if (params === undefined || meta === undefined) return params;
  const rest = copyWithout(meta, ENVELOPE_KEYS);
  if (Object.keys(rest).length === 0) return copyWithout(params, META_KEY);
  return copyWith(params, '_meta', rest);
}

/** Material for a 2026-07-28 request envelope. */
export interface EnvelopeMaterial {
  clientCapabilities: Record<string, unknown>;
  clientInfo: { name: string; version: string; [key: string]: unknown };
  logLevel?: string | undefined;
}

/** The 2026-07-28 `_meta` envelope of a client, built once and shared by its requests. */
export function envelopeMeta(env: EnvelopeMaterial): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    [MetaKey.protocolVersion]: MODERN_PROTOCOL_VERSION,
    [MetaKey.clientCapabilities]: env.clientCapabilities,
    [MetaKey.clientInfo]: env.clientInfo,
  };
  if (env.logLevel !== undefined) meta[MetaKey.logLevel] = env.logLevel;
  return meta;
}

/** `params` with a prebuilt envelope (see {@link envelopeMeta}); keys the caller set in `_meta` win. */
export function withMeta(params: MessageParams | undefined, meta: Record<string, unknown>): MessageParams {
  if (params === undefined) return { _meta: meta };
  const own = params._meta;
  return copyWith(params, '_meta', own === undefined || own === null ? meta : mergedMeta(meta, own));
}

/** `meta` with the members of `own` on top (own wins). */
function mergedMeta(meta: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  // `Object.assign` would call the `__proto__` setter for such an own member: the spread keeps it one.
  return Object.hasOwn(own, '__proto__') ? { ...meta, ...own } : Object.assign({}, meta, own);
}

/** `params` with the 2026-07-28 envelope added (keys the caller set in `_meta` win). */
export function withEnvelope(params: MessageParams | undefined, env: EnvelopeMaterial): MessageParams {
  return withMeta(params, envelopeMeta(env));
}

/**
 * A 2025-era result made into a 2026-07-28 one: `resultType: "complete"`, cache hints where the method
 * needs them (`ttlMs: 0`, `cacheScope: "private"`: a 2025 server says nothing about caching, so the
 * bridge promises nothing), the server's identity in `_meta`, and deleted vocabulary removed
 * (`execution.taskSupport` on tools, the `tasks` capability).
 */
export function toModernResult(
  method: string,
  result: Record<string, unknown>,
  serverInfo?: Record<string, unknown>,
): Record<string, unknown> {
  const out = copyWith(result, 'resultType', 'complete');
  if (CACHEABLE_METHODS.has(method)) {
    if (typeof out.ttlMs !== 'number' || out.ttlMs < 0) out.ttlMs = 0;
    if (out.cacheScope !== 'public' && out.cacheScope !== 'private') out.cacheScope = 'private';
  }
  if (method === 'tools/list' && Array.isArray(out.tools)) {
    out.tools = (out.tools as unknown[]).map((tool) =>
      isRecord(tool) && 'execution' in tool ? copyWithout(tool, EXECUTION_KEY) : tool,
    );
  }
  if (serverInfo !== undefined) {
    const meta = isRecord(out._meta) ? out._meta : {};
    if (meta[MetaKey.serverInfo] === undefined) out._meta = copyWith(meta, MetaKey.serverInfo, serverInfo);
  }
  return out;
}

/**
 * A 2026-07-28 result made into a 2025-era one: the 2026-only members removed — `resultType`, `ttlMs`,
 * `cacheScope`, and the server's identity in `_meta` (a 2025 client learnt it from `initialize`); other
 * `_meta` members are kept. A result with none of them is returned as is.
 */
export function toLegacyResult(result: Record<string, unknown>): Record<string, unknown> {
  const meta = legacyResultMeta(result._meta);
  if (
    meta === undefined &&
    result.resultType === undefined &&
    result.ttlMs === undefined &&
    result.cacheScope === undefined
  ) {
    return result;
  }
  const out = copyWithout(result, meta !== undefined ? MODERN_RESULT_AND_META_KEYS : MODERN_RESULT_KEYS);
  if (meta?.rest !== undefined) out._meta = meta.rest;
  return out;
}

/**
 * What a 2025-era result keeps of a 2026-07-28 result's `_meta`: `undefined` when it stays as it is (no
 * server identity in it); else the members left without the identity (`rest`, `undefined` when none
 * are left), which move to the end of the result.
 *
 * @param meta - the result's `_meta` value
 */
export function legacyResultMeta(meta: unknown): { rest: Record<string, unknown> | undefined } | undefined {
  if (!isRecord(meta) || meta[MetaKey.serverInfo] === undefined) return undefined;
  // Usually the identity is all there is: nothing to copy.
  for (const key in meta) {
    if (key !== MetaKey.serverInfo && Object.hasOwn(meta, key)) {
      return { rest: copyWithout(meta, SERVER_INFO_KEY) };
    }
  }
  return IDENTITY_ONLY;
}

const IDENTITY_ONLY: { rest: undefined } = Object.freeze({ rest: undefined });

/** `true` for a `params._meta` value that is a 2026-07-28 envelope (see {@link modernEnvelopeOf}). */
export function isModernMeta(meta: unknown): boolean {
  if (typeof meta !== 'object' || meta === null) return false;
  const version = (meta as Record<string, unknown>)[MetaKey.protocolVersion];
  return typeof version === 'string' && eraOf(version) === 'stateless';
}

/** 2025 server capabilities as 2026-07-28 ones: `tasks` has no 2026 form. */
export function toModernServerCapabilities(caps: unknown): Record<string, unknown> {
  if (!isRecord(caps)) return {};
  return 'tasks' in caps ? copyWithout(caps, TASKS_KEY) : caps;
}

/** 2026 client capabilities as 2025 ones: `extensions` has no 2025 form. */
export function toLegacyClientCapabilities(caps: Record<string, unknown>): Record<string, unknown> {
  return 'extensions' in caps ? copyWithout(caps, EXTENSIONS_KEY) : caps;
}

/** A stable short digest of client capabilities (the pool key part that keeps differently-capable clients apart). */
export function capabilitiesKey(caps: Record<string, unknown>): string {
  return stableJson(caps);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
