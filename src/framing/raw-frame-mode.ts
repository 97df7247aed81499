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

/**
 * Which frames a transport delivers framed: `all`, or only `large` ones (those scanned rather than parsed,
 * above `SCAN_ABOVE_BYTES`) with small ones delivered as plain parsed messages — for a consumer that
 * builds a new message from every small one anyway (the era bridge), whose bytes would be kept for nothing.
 * A transport asked for both delivers all.
 */
export type RawFrameScope = 'all' | 'large';

/** A transport that can deliver framed messages. */
export interface RawFrameCapable {
  /** From now on, deliver framed messages (`scope` default `all`). */
  [RAW_FRAMES](scope?: RawFrameScope): void;
}

/**
 * Asks `transport` (or what it wraps) to deliver framed messages; a transport that cannot ignores it.
 * @returns `true` when the transport took the request
 */
export function enableRawFrames(transport: object, scope: RawFrameScope = 'all'): boolean {
  const enable = (transport as Partial<RawFrameCapable>)[RAW_FRAMES];
  if (typeof enable !== 'function') return false;
  enable.call(transport, scope);
  return true;
}

/** The wider of two scopes (`undefined`: not asked yet). */
export function widerScope(a: RawFrameScope | undefined, b: RawFrameScope): RawFrameScope {
  return a === 'all' || b === 'all' ? 'all' : 'large';
}
