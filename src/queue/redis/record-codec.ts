import type { QueueRecord } from '../queue-types.js';

/**
 * Fields of a stream entry: `t` type (`o` open, `m` message, `b` bind, `c` close), `c` connection,
 * `d` data, `w` worker, `r` reason (close) or reply stream (open); on a record forwarded to a worker's
 * inbox, `f` ({@link RECLAIMED_FROM}).
 */
export type RecordFields = Record<string, string>;

/**
 * The field naming the dead worker a forwarded record was reclaimed from: it was read there and maybe
 * run, so its new reader runs it again only where that is safe.
 */
export const RECLAIMED_FROM = 'f';

/** A record as the fields of one stream entry. */
export function encodeRecord(record: QueueRecord): RecordFields {
  switch (record.type) {
    case 'open':
      return record.replyTo === undefined
        ? { t: 'o', c: record.conn }
        : { t: 'o', c: record.conn, r: record.replyTo };
    case 'message':
      return { t: 'm', c: record.conn, d: record.data };
    case 'bind':
      return { t: 'b', c: record.conn, w: record.worker };
    case 'close':
      return record.reason === undefined
        ? { t: 'c', c: record.conn }
        : { t: 'c', c: record.conn, r: record.reason };
  }
}

/** The record of a stream entry, or `undefined` for an entry that is not one (written by someone else). */
export function decodeRecord(fields: Record<string, unknown>): QueueRecord | undefined {
  const conn = fields.c;
  if (typeof conn !== 'string' || conn === '') return undefined;
  switch (fields.t) {
    case 'o':
      return typeof fields.r === 'string' && fields.r !== ''
        ? { type: 'open', conn, replyTo: fields.r }
        : { type: 'open', conn };
    case 'm':
      return typeof fields.d === 'string' ? { type: 'message', conn, data: fields.d } : undefined;
    case 'b':
      return typeof fields.w === 'string' ? { type: 'bind', conn, worker: fields.w } : undefined;
    case 'c':
      return { type: 'close', conn, reason: typeof fields.r === 'string' ? fields.r : undefined };
    default:
      return undefined;
  }
}
