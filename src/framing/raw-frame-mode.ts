/**
 * The switch of raw-frame mode between our own transports (see `frame-message.ts`): a transport that can
 * deliver framed messages implements a method under {@link RAW_FRAMES}; a decorator forwards it to the
 * transport it wraps. The relay turns the mode on for both of its sides; nobody else does, so library
 * users keep receiving plain parsed messages.
 */
export const RAW_FRAMES: unique symbol = Symbol.for('mcp-switchboard.rawFrames');

/** A transport that can deliver framed messages. */
export interface RawFrameCapable {
  /** From now on, deliver framed messages. */
  [RAW_FRAMES](): void;
}

/**
 * Asks `transport` (or what it wraps) to deliver framed messages; a transport that cannot ignores it.
 * @returns `true` when the transport took the request
 */
export function enableRawFrames(transport: object): boolean {
  const enable = (transport as Partial<RawFrameCapable>)[RAW_FRAMES];
  if (typeof enable !== 'function') return false;
  enable.call(transport);
  return true;
}
