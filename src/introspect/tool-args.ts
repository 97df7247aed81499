import { SwitchboardError } from '../errors.js';

/** Tool arguments as sent in `tools/call`. */
export type ToolArguments = Record<string, unknown>;

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

/**
 * Coerces one `--arg` value: JSON numbers, booleans, `null`, objects, arrays and quoted strings are
 * parsed; anything else stays the string it is. An integer too large to be exact stays a string.
 *
 * @param raw - the text after `=`
 * @example
 * ```ts
 * coerceArgValue('42'); // 42
 * coerceArgValue('true'); // true
 * coerceArgValue('{"a":1}'); // { a: 1 }
 * coerceArgValue('"42"'); // '42'
 * coerceArgValue('hello'); // 'hello'
 * ```
 */
export function coerceArgValue(raw: string): unknown {
  const text = raw.trim();
  if (text === '') return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return raw;
  }
  if (typeof parsed === 'number' && /^-?\d+$/.test(text) && !Number.isSafeInteger(parsed)) return raw;
  return parsed;
}

/**
 * Builds the arguments of `inspect --call`: the `--args` JSON object first, then each `--arg k=v`
 * (coerced by {@link coerceArgValue}) on top.
 *
 * @param json - the `--args` value, a JSON object (optional)
 * @param pairs - the `--arg` values, `key=value` each
 * @throws SwitchboardError `INVALID_OPTIONS` for JSON that is not an object, or a pair without `=`
 */
export function buildToolArguments(json: string | undefined, pairs: readonly string[] = []): ToolArguments {
  let args: ToolArguments = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (cause) {
      throw new SwitchboardError('INVALID_OPTIONS', `--args is not valid JSON: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw usage('--args must be a JSON object, e.g. --args \'{"message":"hi"}\'');
    }
    args = { ...(parsed as ToolArguments) };
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--arg "${pair}": expected key=value`);
    args[pair.slice(0, eq)] = coerceArgValue(pair.slice(eq + 1));
  }
  return args;
}
