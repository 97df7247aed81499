type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges capability objects: members present in any are present; booleans are OR-ed (`listChanged`,
 * `subscribe`); nested objects merge the same way; for anything else the first value wins.
 *
 * @param all - capability objects, in configuration order
 */
export function mergeCapabilities(all: readonly Json[]): Json {
  const out: Json = {};
  for (const caps of all) {
    for (const [key, value] of Object.entries(caps)) {
      const have = out[key];
      if (have === undefined) out[key] = isObject(value) ? mergeCapabilities([value]) : value;
      else if (isObject(have) && isObject(value)) out[key] = mergeCapabilities([have, value]);
      else if (typeof have === 'boolean' && typeof value === 'boolean') out[key] = have || value;
    }
  }
  return out;
}

/**
 * What a gateway advertises: the union of its servers' capabilities, with `listChanged` on for tools,
 * prompts and resources (the gateway itself announces servers leaving and coming back).
 *
 * @param servers - capabilities of the servers that are up
 */
export function gatewayCapabilities(servers: readonly Json[]): Json {
  const merged = mergeCapabilities(servers);
  for (const kind of ['tools', 'prompts', 'resources']) {
    const caps = merged[kind];
    if (isObject(caps)) merged[kind] = { ...caps, listChanged: true };
  }
  return merged;
}
