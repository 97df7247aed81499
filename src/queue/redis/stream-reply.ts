/** One entry read from a stream. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

/**
 * The entries of a raw `XRANGE` reply (RESP2: `[[id, [field, value, …]], …]`). Entries whose fields
 * are gone (deleted while pending, `[id, null]`) come with no fields.
 */
export function parseEntries(raw: unknown): StreamEntry[] {
  const entries: StreamEntry[] = [];
  if (!Array.isArray(raw)) return entries;
  for (const item of raw as unknown[]) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
    const fields: Record<string, string> = {};
    const flat: unknown = item[1];
    if (Array.isArray(flat)) {
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const name: unknown = flat[i];
        const value: unknown = flat[i + 1];
        if (typeof name === 'string' && typeof value === 'string') fields[name] = value;
      }
    }
    entries.push({ id: item[0], fields });
  }
  return entries;
}

/**
 * The entries per stream of a raw `XREAD`/`XREADGROUP` reply: RESP3 (what node-redis speaks by default)
 * answers a map `{ key: entries }`, RESP2 `[[key, entries], …]`; null when the read timed out.
 */
export function parseStreamReply(raw: unknown): Map<string, StreamEntry[]> {
  const streams = new Map<string, StreamEntry[]>();
  if (raw === null || typeof raw !== 'object') return streams;
  if (raw instanceof Map) {
    for (const [key, entries] of raw as Map<unknown, unknown>) {
      if (typeof key === 'string') streams.set(key, parseEntries(entries));
    }
  } else if (Array.isArray(raw)) {
    for (const stream of raw as unknown[]) {
      if (Array.isArray(stream) && typeof stream[0] === 'string') {
        streams.set(stream[0], parseEntries(stream[1]));
      }
    }
  } else {
    for (const [key, entries] of Object.entries(raw)) streams.set(key, parseEntries(entries));
  }
  return streams;
}
