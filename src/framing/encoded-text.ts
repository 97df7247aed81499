/**
 * JSON text that the sender of a message it just built already has (the era bridge writes its requests'
 * envelope from a prebuilt string instead of serialising it for every request). The framings use it
 * instead of `JSON.stringify(message)`; it must be exactly that text.
 *
 * Keyed by the message object: a copy — what a stage that changes a message makes — has none and is
 * serialised as usual. The sender must not change the object after attaching the text.
 */
const texts = new WeakMap<object, string>();

/** Attaches `text` (exactly `JSON.stringify(message)`) to `message`; returns `message`. */
export function withEncodedText<M extends object>(message: M, text: string): M {
  texts.set(message, text);
  return message;
}

/** The text attached to `message`, if any. */
export function encodedTextOf(message: object): string | undefined {
  return texts.get(message);
}
