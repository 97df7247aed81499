/**
 * The legacy-facing stage's translation of large results done on their bytes (raw-frame mode), where it
 * is exact: the 2026-07-28 members cut out of the result and the id replaced — everything else leaves as
 * the bytes that arrived; nothing is parsed whole or re-serialised. {@link splicedResult} answers
 * `undefined` where the message is not one it splices (small, not framed, changed since it arrived, an
 * `input_required` result, …): the stage then translates the parsed message. What the client parses is
 * exactly what the object translation would send (`test/era/legacy-frames.property.test.ts`).
 *
 * Why only large frames: a small frame is parsed whole when it arrives, and for a few hundred bytes
 * V8's `JSON.stringify` of the translated object costs less than finding the members in the bytes and
 * building the spliced copy in JavaScript (measured in serve: about 2.5 µs per message spliced against
 * 0.7 µs for the object translation). Above {@link SPLICE_ABOVE_BYTES} a frame is scanned, not parsed,
 * and splicing saves parsing and re-serialising all of it. Requests are not spliced: the envelope would
 * have to go into the bytes of a client's request, and only frames a client side in raw-frame mode
 * delivers have bytes — a mode that costs every small request more than the splice saves on a large one.
 */
import {
  editedFrame,
  frameLayout,
  framedSize,
  SCAN_ABOVE_BYTES,
  type FrameLayout,
} from '../framing/frame-message.js';
import { Key, sliceChunks, type FactKey } from '../framing/frame-scanner.js';
import type { FrameEdit } from '../framing/frame-state.js';
import { keyTable, type ObjectLayout } from '../framing/json-members.js';
import type { JSONRPCMessage, RequestId } from '../protocol/messages.js';
import { legacyResultMeta, toLegacyResult } from './era-meta.js';

const R_TYPE = 1;
const R_TTL = 2;
const R_SCOPE = 3;
const R_META = 4;
const RESULT_KEYS = keyTable({ resultType: R_TYPE, ttlMs: R_TTL, cacheScope: R_SCOPE, _meta: R_META });

const KEPT: readonly FactKey[] = [Key.isError, Key.resultTask];
const KEPT_WITH_META: readonly FactKey[] = [Key.isError, Key.resultTask, Key.resultMeta];

const EMPTY = Buffer.alloc(0);
const COMMA = Buffer.from(',');

/** Frames larger than this are spliced (the size above which transports scan frames instead of parsing them). */
export const SPLICE_ABOVE_BYTES = SCAN_ABOVE_BYTES;

/** `true` for a framed message large enough to splice (see the module comment). */
function worthSplicing(message: JSONRPCMessage, spliceAbove: number): boolean {
  const size = framedSize(message);
  return size !== undefined && size > spliceAbove;
}

/** The value of a member: the frame's parsed one (small frames), else parsed from its bytes. */
function memberValue(
  layout: FrameLayout,
  name: string,
  member: { valueStart: number; valueEnd: number },
): unknown {
  if (layout.value !== undefined) return layout.value[name];
  return JSON.parse(sliceChunks(layout.chunks, member.valueStart, member.valueEnd).toString('utf8'));
}

/**
 * Edits that remove the members `omit` picks from an object, keeping every other member's bytes (and
 * the separators between kept members that had nothing removed between them).
 */
function removals(object: ObjectLayout, omit: (code: number) => boolean): FrameEdit[] {
  const edits: FrameEdit[] = [];
  let keptEnd = -1;
  let removed = false;
  for (const m of object.members) {
    if (omit(m.code)) {
      removed = true;
      continue;
    }
    if (removed) {
      edits.push(
        keptEnd < 0
          ? { start: object.start + 1, end: m.keyStart, bytes: EMPTY }
          : { start: keptEnd, end: m.keyStart, bytes: COMMA },
      );
      removed = false;
    }
    keptEnd = m.valueEnd;
  }
  if (removed)
    edits.push({ start: keptEnd < 0 ? object.start + 1 : keptEnd, end: object.end - 1, bytes: EMPTY });
  return edits;
}

/**
 * A 2026-07-28 backend's result for a 2025 client, spliced: under the client's id, without the members
 * 2026-07-28 added (`resultType`, `ttlMs`, `cacheScope`, the server's identity in `_meta`; other `_meta`
 * members move to the end, as `toLegacyResult` does). `undefined` for an `input_required` result and for
 * a message that cannot be spliced: translate the parsed message instead.
 *
 * @param message - the backend's response, as a transport in raw-frame mode delivered it
 * @param clientId - the id the client sent
 * @param spliceAbove - smaller frames are left to the object translation (default {@link SPLICE_ABOVE_BYTES})
 */
export function splicedResult(
  message: JSONRPCMessage,
  clientId: RequestId,
  spliceAbove = SPLICE_ABOVE_BYTES,
): JSONRPCMessage | undefined {
  if (!worthSplicing(message, spliceAbove)) return undefined;
  const layout = frameLayout(message, 'result', RESULT_KEYS);
  if (layout === undefined) return undefined;
  const object = layout.members;
  let type: (typeof object.members)[number] | undefined;
  let meta: (typeof object.members)[number] | undefined;
  let translated = false;
  for (const m of object.members) {
    if (m.code === 0) continue;
    translated = true;
    if (m.code === R_TYPE) type = m;
    else if (m.code === R_META) meta = m;
  }
  const pristine = layout.value;
  if (!translated) return editedFrame(layout, clientId, [], pristine);
  if (type !== undefined && memberValue(layout, 'resultType', type) === 'input_required') return undefined;
  const legacyMeta = meta === undefined ? undefined : legacyResultMeta(memberValue(layout, '_meta', meta));
  const edits = removals(
    object,
    (code) =>
      code === R_TYPE || code === R_TTL || code === R_SCOPE || (code === R_META && legacyMeta !== undefined),
  );
  if (legacyMeta?.rest !== undefined) {
    const kept = object.members.some((m) => m.code === 0);
    const member = `${kept ? ',' : ''}"_meta":${JSON.stringify(legacyMeta.rest)}`;
    const last = edits[edits.length - 1];
    if (last !== undefined && last.end === object.end - 1) last.bytes = Buffer.from(member);
    else edits.push({ start: object.end - 1, end: object.end - 1, bytes: Buffer.from(member) });
  }
  // `isError` and `task` are never cut: a relay reads them from the scan, without parsing the result.
  const kept = legacyMeta === undefined ? KEPT_WITH_META : KEPT;
  return editedFrame(
    layout,
    clientId,
    edits,
    pristine === undefined ? undefined : toLegacyResult(pristine),
    kept,
  );
}
