import type { RedisClient } from './redis-client.js';

/**
 * The command that runs a Lua script. Always `EVAL`, never `EVALSHA`: after Redis lost its script
 * cache (a restart), the `NOSCRIPT` retry of an `EVALSHA` would run after commands sent behind it, and
 * these scripts store replies whose order matters. The text of a short script costs Redis a hash per call.
 */
export function scriptCommand(source: string, keys: readonly string[], args: readonly string[]): string[] {
  return ['EVAL', source, String(keys.length), ...keys, ...args];
}

/** Runs a Lua script (one command, see {@link scriptCommand}). */
export function runScript(
  client: RedisClient,
  source: string,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  return client.sendCommand(scriptCommand(source, keys, args));
}
