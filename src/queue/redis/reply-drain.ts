import { decodeRecord } from './record-codec.js';
import type { RedisClient } from './redis-client.js';
import { parseEntries } from './stream-reply.js';
import type { QueueRecord } from '../queue-types.js';

/** Entries per `XRANGE` page of a drained stream. */
const PAGE = 1_000;
/** Pages read at most: a reply stream is capped at `maxlen` entries anyway. */
const MAX_PAGES = 1_000;

/**
 * Hands over, in order, the records of connection `conn` left in another client process's reply stream
 * `from` (a process that held the connection before and died), deleting each page once handed over.
 * Other connections' records stay for whoever re-attaches to them.
 */
export async function drainReplies(
  commands: RedisClient,
  from: string,
  conn: string,
  hand: (record: QueueRecord) => void,
): Promise<void> {
  let start = '-';
  for (let page = 0; page < MAX_PAGES; page++) {
    const entries = parseEntries(
      await commands.sendCommand(['XRANGE', from, start, '+', 'COUNT', String(PAGE)]),
    );
    const mine: string[] = [];
    for (const entry of entries) {
      const record = decodeRecord(entry.fields);
      if (record?.conn !== conn) continue;
      mine.push(entry.id);
      hand(record);
    }
    if (mine.length > 0) await commands.sendCommand(['XDEL', from, ...mine]);
    const last = entries.at(-1);
    if (entries.length < PAGE || last === undefined) return;
    start = `(${last.id}`;
  }
}
