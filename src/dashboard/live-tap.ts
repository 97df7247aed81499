import type { ConnectionInfo } from '../listener.js';
import type { TransportMiddleware } from '../middleware/pipe.js';
import { TransportDecorator } from '../middleware/transport-decorator.js';
import type { JSONRPCMessage } from '../protocol/messages.js';
import type { AuthInfo, MessageExtraInfo, Transport, TransportSendOptions } from '../transport.js';
import type { LiveMonitor } from './live-monitor.js';

/**
 * Shows one client session on the live dashboard: wraps the transport that faces the client and hands
 * every frame, both ways, to the {@link LiveMonitor}. Install it only when the dashboard is on — without
 * it nothing is collected and nothing is paid.
 *
 * @param monitor - where frames go
 * @param session - the session id (as the proxy knows it)
 * @param frontend - the frontend kind shown (`http`, `tcp`, `ws`, `stdio`, …)
 * @param info - what the listener knows about the peer (address, authenticated caller)
 * @example
 * ```ts
 * proxy.accept(pipe(transport, liveTap(monitor, sessionId, 'http', info)), { ...info, sessionId });
 * ```
 */
export function liveTap(
  monitor: LiveMonitor,
  session: string,
  frontend: string,
  info: ConnectionInfo & { authInfo?: AuthInfo | undefined } = {},
): TransportMiddleware {
  return (inner) => new LiveTapTransport(inner, monitor, session, frontend, info);
}

class LiveTapTransport extends TransportDecorator {
  readonly #monitor: LiveMonitor;
  readonly #session: string;

  constructor(
    inner: Transport,
    monitor: LiveMonitor,
    session: string,
    frontend: string,
    info: ConnectionInfo & { authInfo?: AuthInfo | undefined },
  ) {
    super(inner);
    this.#monitor = monitor;
    this.#session = session;
    monitor.sessionOpened(session, frontend, info);
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.#monitor.observe(this.#session, 'out', message);
    return this.inner.send(message, options);
  }

  override close(): Promise<void> {
    this.#monitor.sessionClosed(this.#session);
    return super.close();
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.#monitor.observe(this.#session, 'in', message, extra?.authInfo);
    this.deliver(message, extra);
  }

  protected override handleClose(): void {
    this.#monitor.sessionClosed(this.#session);
    super.handleClose();
  }
}
