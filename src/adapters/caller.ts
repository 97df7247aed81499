import { AsyncLocalStorage } from 'node:async_hooks';
import { TransportDecorator } from '../middleware/transport-decorator.js';
import type { JSONRPCMessage } from '../protocol/messages.js';
import type { AuthInfo, Transport, TransportSendOptions } from '../transport.js';

// Who is calling. The adapters share one MCP session among all their HTTP callers, so the caller of
// each request travels with its messages (as `extra.authInfo` on the proxy's side of an in-memory
// pair), where the authorization policy and the rate limiter decide per caller.

const callers = new AsyncLocalStorage<AuthInfo>();

/**
 * Runs `fn` with `caller` as the caller of every MCP request it sends through a
 * {@link CallerTaggingTransport}.
 *
 * @param caller - the authenticated caller, or `undefined` for none
 * @param fn - the work (typically one `client.callTool(…)`)
 * @example
 * ```ts
 * const result = await withCaller(authInfo, () => client.callTool({ name: 'echo', arguments: {} }));
 * ```
 */
export function withCaller<T>(caller: AuthInfo | undefined, fn: () => T): T {
  return caller === undefined ? fn() : callers.run(caller, fn);
}

/** The caller set by the innermost {@link withCaller}, if any. */
export function currentCaller(): AuthInfo | undefined {
  return callers.getStore();
}

/**
 * The caller facts of one HTTP request: what authentication said, or — for unauthenticated callers —
 * an identity by client address (`ip:<address>`), so that per-caller rate limits apply per client as
 * they do on the MCP endpoint.
 *
 * @param authInfo - from the listener's `authenticate` hook
 * @param remoteAddress - the client's address
 */
export function httpCaller(
  authInfo: AuthInfo | undefined,
  remoteAddress: string | undefined,
): AuthInfo | undefined {
  if (authInfo !== undefined) return authInfo;
  if (remoteAddress === undefined) return undefined;
  const principal = `ip:${remoteAddress}`;
  return { token: '', clientId: principal, scopes: [], extra: { principal } };
}

type TaggedSendOptions = TransportSendOptions & { authInfo?: AuthInfo | undefined };

/**
 * Client-side decorator: adds the current caller (see {@link withCaller}) to each message's send
 * options as `authInfo`, which an in-memory pair delivers as `extra.authInfo` on the other side.
 * Transports that do not know the option ignore it.
 */
export class CallerTaggingTransport extends TransportDecorator {
  /** @param inner - the client side of the connection (unstarted) */
  constructor(inner: Transport) {
    super(inner);
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const caller = callers.getStore();
    if (caller === undefined) return super.send(message, options);
    const tagged: TaggedSendOptions = { ...options, authInfo: caller };
    return super.send(message, tagged);
  }
}
