import net from 'node:net';
import tls from 'node:tls';
import { SwitchboardError } from '../errors.js';
import { checkSocketPath } from '../security/socket-path.js';
import { stripBrackets, tlsClientOptions, type TlsClientOptions } from './tls-options.js';

/** Where a socket transport connects to. TCP, TLS and Unix differ only here. */
export type SocketTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'tls'; host: string; port: number; tls?: TlsClientOptions | undefined }
  | { kind: 'unix'; path: string; allowRelativePath?: boolean | undefined };

/** Connection settings shared by the three kinds. */
export interface SocketConnectOptions {
  /** Give up connecting (TCP connect plus TLS handshake) after this many ms (default 10 000). */
  connectTimeoutMs?: number | undefined;
  /**
   * TCP keep-alive probe delay in ms (default 30 000; `0` disables). Lets the OS notice a peer that
   * vanished without closing (power loss, cable pulled) on an otherwise quiet connection.
   */
  keepAliveMs?: number | undefined;
  /**
   * Resolves the host instead of `dns.lookup` (TCP and TLS only), e.g. the SSRF guard's vetted
   * resolution (`SsrfGuard.lookup`), so the address checked is the address connected to.
   */
  lookup?: net.LookupFunction | undefined;
}

/** Opens one connected (and, for TLS, handshaken) socket; aborting the signal destroys it. */
export type SocketConnector = (signal: AbortSignal) => Promise<net.Socket>;

/** Default connect timeout: 10 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default TCP keep-alive delay: 30 s. */
export const DEFAULT_KEEPALIVE_MS = 30_000;

/** Applies the per-socket settings every connected TCP/TLS socket gets (client or accepted). */
export function tuneSocket(socket: net.Socket, keepAliveMs: number = DEFAULT_KEEPALIVE_MS): void {
  // Request/response traffic: Nagle's delay only adds latency.
  socket.setNoDelay(true);
  if (keepAliveMs > 0) socket.setKeepAlive(true, keepAliveMs);
}

/** A human-readable name of the target, for error messages. */
export function describeTarget(target: SocketTarget): string {
  return target.kind === 'unix' ? `unix:${target.path}` : `${target.kind}://${target.host}:${target.port}`;
}

/**
 * Builds the connect factory of a socket transport: TCP, TLS and Unix in one place (as undici's
 * `buildConnector` does). Options are validated and TLS files read now, so mistakes surface at
 * construction, not at the first connect.
 *
 * @param target - what to connect to
 * @param options - timeout (default 10 s) and keep-alive (default 30 s)
 * @throws SwitchboardError `INVALID_OPTIONS` (bad port, unreadable TLS file), `UNSAFE_SOCKET_PATH`
 * @example
 * ```ts
 * const connect = buildSocketConnector({ kind: 'tls', host: 'mcp.example.com', port: 7443 });
 * const socket = await connect(AbortSignal.timeout(5000));
 * ```
 */
export function buildSocketConnector(
  target: SocketTarget,
  options: SocketConnectOptions = {},
): SocketConnector {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
  const where = describeTarget(target);
  let open: () => net.Socket;
  let ready: 'connect' | 'secureConnect';
  switch (target.kind) {
    case 'unix': {
      const socketPath = checkSocketPath(target.path, { allowRelative: target.allowRelativePath });
      open = () => net.connect({ path: socketPath });
      ready = 'connect';
      break;
    }
    case 'tcp': {
      const { host, port } = checkHostPort(target.host, target.port);
      open = () => net.connect({ host, port, ...(options.lookup ? { lookup: options.lookup } : {}) });
      ready = 'connect';
      break;
    }
    case 'tls': {
      const { host, port } = checkHostPort(target.host, target.port);
      const tlsOptions = tlsClientOptions(target.tls ?? {}, host);
      open = () =>
        tls.connect({ ...tlsOptions, host, port, ...(options.lookup ? { lookup: options.lookup } : {}) });
      ready = 'secureConnect';
      break;
    }
  }
  const isTls = target.kind === 'tls';

  return (signal) =>
    new Promise<net.Socket>((resolve, reject) => {
      if (signal.aborted) {
        reject(new SwitchboardError('TRANSPORT_CLOSED', `Closed before connecting to ${where}`));
        return;
      }
      const socket = open();
      let tcpUp = false;
      const finish = (error: SwitchboardError | undefined): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('connect', onTcp);
        socket.off(ready, onReady);
        socket.off('error', onError);
        if (error) {
          // A dying socket may still emit errors; they must not become uncaught exceptions.
          socket.on('error', () => undefined);
          socket.destroy();
          reject(error);
        } else resolve(socket);
      };
      const onTcp = (): void => {
        tcpUp = true;
      };
      const onReady = (): void => {
        if (target.kind !== 'unix') tuneSocket(socket, keepAliveMs);
        finish(undefined);
      };
      const onError = (error: NodeJS.ErrnoException): void => {
        // An error after the TCP connect on a TLS socket is a failed handshake: verification failed
        // on our side, or the server refused us (e.g. an mTLS alert). Retrying will not help.
        const rejected = isTls && tcpUp;
        finish(
          new SwitchboardError(
            rejected ? 'CONNECTION_REJECTED' : 'CONNECTION_FAILED',
            `${rejected ? 'TLS handshake with' : 'Cannot connect to'} ${where} failed: ${error.message}`,
            { cause: error, details: { systemCode: error.code, target: where } },
          ),
        );
      };
      const onAbort = (): void => {
        finish(new SwitchboardError('TRANSPORT_CLOSED', `Closed while connecting to ${where}`));
      };
      const timer = setTimeout(() => {
        finish(
          new SwitchboardError(
            'CONNECTION_FAILED',
            `Connecting to ${where} timed out after ${timeoutMs} ms`,
            {
              details: { systemCode: 'ETIMEDOUT', target: where },
            },
          ),
        );
      }, timeoutMs);
      socket.once('connect', onTcp);
      socket.once(ready, onReady);
      socket.once('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
    });
}

function checkHostPort(host: string, port: number): { host: string; port: number } {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new SwitchboardError('INVALID_OPTIONS', `Port must be an integer in 1..65535, got ${String(port)}`);
  }
  const h = stripBrackets(host);
  if (h.length === 0) throw new SwitchboardError('INVALID_OPTIONS', 'A host is required');
  return { host: h, port };
}
