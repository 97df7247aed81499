import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { z } from 'zod';
import type { BackendTarget } from '../../cli/backend-target.js';
import { Duration } from '../../config/duration.js';
import { ServeConfigSchema, type ServeConfig } from '../../config/serve-config.js';

// A validated serve configuration written back as a config file: only what differs from the defaults,
// in the form the file accepts (durations as `…ms`, the backend as a URI or `{ command, args }`).

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Unwraps `.default()`, `.prefault()`, `.optional()` and `.nullable()`.
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 16; i++) {
    if (
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable
    ) {
      current = current.def.innerType as z.ZodType;
    } else break;
  }
  return current;
}

// The input form of an output value: a duration in ms becomes `<n>ms` (a bare number would be read as
// seconds); objects, arrays and records are walked; everything else is already its own input form.
function inputForm(schema: z.ZodType, value: unknown): unknown {
  const s = unwrap(schema);
  if (s === Duration) return typeof value === 'number' ? `${value}ms` : value;
  if (s instanceof z.ZodObject && isObj(value)) {
    const shape = s.shape as Record<string, z.ZodType>;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, shape[k] ? inputForm(shape[k], v) : v]),
    );
  }
  if (s instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((v) => inputForm(s.element as z.ZodType, v));
  }
  if (s instanceof z.ZodRecord && isObj(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, inputForm(s.def.valueType as z.ZodType, v)]),
    );
  }
  return value;
}

// What differs from the default, member by member; undefined when nothing does.
function difference(value: unknown, base: unknown): unknown {
  if (isDeepStrictEqual(value, base)) return undefined;
  if (!isObj(value) || !isObj(base)) return value;
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) {
    const d = difference(v, base[key]);
    if (d !== undefined) out[key] = d;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** A backend as a config file writes it. */
function fileBackend(target: BackendTarget): unknown {
  if (target.kind === 'stdio') return { command: target.command, args: target.args };
  const extra = Object.keys(target.headers).length > 0 || target.authToken !== undefined;
  if (!extra) return target.uri;
  return {
    uri: target.uri,
    ...(Object.keys(target.headers).length > 0 ? { headers: target.headers } : {}),
    ...(target.authToken !== undefined ? { authToken: target.authToken } : {}),
  };
}

/**
 * The config-file form of a validated serve configuration: the members that differ from the defaults,
 * durations as `<n>ms`, the backend as `switchboard serve --config` reads it.
 *
 * @param config - a validated configuration (e.g. from the serve flags)
 * @returns a plain object to write as YAML
 */
export function serveConfigFileObject(config: ServeConfig): Record<string, unknown> {
  const defaults = ServeConfigSchema.parse({});
  const { backend, ...rest } = config;
  const changed = (difference(rest, { ...defaults, backend: undefined }) ?? {}) as Obj;
  const out = inputForm(ServeConfigSchema, changed) as Obj;
  return backend === undefined ? out : { backend: fileBackend(backend), ...out };
}

/**
 * The YAML text of {@link serveConfigFileObject}, with a comment header.
 *
 * @param config - a validated configuration
 * @param header - comment lines (without `#`)
 */
export function serveConfigYaml(config: ServeConfig, header: readonly string[]): string {
  const body = serveConfigFileObject(config);
  const text = Object.keys(body).length === 0 ? '{}\n' : stringify(body, { lineWidth: 0 });
  return `${header.map((line) => `# ${line}`.trimEnd()).join('\n')}\n${text}`;
}
