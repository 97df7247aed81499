/**
 * Variants of the raw echo backends for the `era-bytes` scenario, written without the SDK:
 * - `stampedAnswerLine`: the 2025 echo whose tools/call results carry what a 2026-07-28 result carries
 *   (`resultType` and the server's identity in `_meta`), so that a 2025 relay moves the bytes the era
 *   bridge moves without translating anything;
 * - `sized`: a tools/call with `arguments.size` answers that many bytes of text (a small request, a large
 *   result), for the 2025 and the 2026-07-28 echo alike.
 */
import { answer } from './echo-logic.js';
import { answerModern } from './modern-echo-logic.js';

const META = { 'io.modelcontextprotocol/serverInfo': { name: 'raw-echo-2026', version: '1.0.0' } };

/** @type {Map<number, string>} */
const texts = new Map();

/**
 * Sets `arguments.text` to `arguments.size` bytes of text when the call asks for a size.
 * @param {any} message
 */
function sized(message) {
  const args = message?.params?.arguments;
  const size = args?.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > 64 * 1024 * 1024) return;
  let text = texts.get(size);
  if (text === undefined) {
    text = 'x'.repeat(size);
    texts.set(size, text);
  }
  args.text = text;
}

/**
 * @param {string} line
 * @param {(message: any) => object | undefined} respond
 */
function answerWith(line, respond) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  }
  sized(message);
  const reply = respond(message);
  return reply === undefined ? undefined : JSON.stringify(reply);
}

/**
 * The 2025 echo, results stamped as 2026-07-28 ones (not `{ ...result, … }`: see `modern-echo-logic.js`).
 * @param {string} line
 */
export function stampedAnswerLine(line) {
  return answerWith(line, (message) => {
    const reply = /** @type {any} */ (answer(message));
    if (message?.method !== 'tools/call' || reply?.result === undefined) return reply;
    const stamped = /** @type {Record<string, unknown>} */ (Object.assign({}, reply.result));
    stamped.resultType = 'complete';
    stamped._meta = META;
    reply.result = stamped;
    return reply;
  });
}

/** @param {string} line - the 2025 echo, sized */
export const sizedAnswerLine = (line) => answerWith(line, answer);

/** @param {string} line - the 2026-07-28 echo, sized */
export const sizedModernAnswerLine = (line) => answerWith(line, answerModern);
