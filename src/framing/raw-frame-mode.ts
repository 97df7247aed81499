/**
 * The switch of raw-frame mode between our own transports (see `frame-message.ts`): a transport that can
 * deliver framed messages implements a method under {@link RAW_FRAMES}, one that writes them as their
 * bytes a method under {@link RAW_WRITES}; a decorator forwards both to the transport it wraps. The relay
 * turns the mode on for a side when the other side writes raw (elsewhere a framed message would only be
 * serialised again); nobody else does, so library users keep receiving plain parsed messages.
 */
export const RAW_FRAMES: unique symbol = Symbol.for('mcp-switchboard.rawFrames');

/** Asked whether a transport writes framed messages as their bytes. */
export const RAW_WRITES: unique symbol = Symbol.for('mcp-switchboard.rawWrites');

/** `true` when `transport` (or what it wraps) writes framed messages as their bytes. */
export function writesRaw(transport: object): boolean {
  const ask = (transport as { [RAW_WRITES]?: () => boolean })[RAW_WRITES];
  return typeof ask === 'function' && ask.call(transport) === true;
}

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
