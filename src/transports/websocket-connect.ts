import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import type WebSocket from 'ws';
import { loadWs } from '../lazy-modules.js';
import { SwitchboardError } from '../errors.js';
import type { PeerInfo } from '../transport.js';
import { peerInfoOf, tlsClientOptions, type TlsClientOptions } from './tls-options.js';

/** The WebSocket subprotocol of MCP (what the SDK v1 `WebSocketClientTransport` asks for). */
export const MCP_SUBPROTOCOL = 'mcp';
/** Default opening-handshake timeout of the client: 10 s. */
export const DEFAULT_WS_CONNECT_TIMEOUT_MS = 10_000;

/** Options shared by both ends of a WebSocket connection. */
export interface WebSocketCommonOptions {
  /** Largest message in bytes (ws `maxPayload`; default 32 MiB). A larger frame closes with 1009. */
  maxMessageBytes?: number | undefined;
  /** Bytes that may wait unsent before `send()` rejects (default 64 MiB). */
  maxQueuedBytes?: number | undefined;
  /** Unsent bytes above which `send()` waits for the socket to flush (default 1 MiB). */
  sendHighWaterMark?: number | undefined;
  /** Ping every this many ms; a peer that left the previous ping unanswered is dropped (default 30 000; 0 = off). */
  pingIntervalMs?: number | undefined;
  /** How long `close()` waits for the closing handshake before dropping the socket (default 2000). */
  closeTimeoutMs?: number | undefined;
}

/** Options of a client `WebSocketTransport`. */
export interface WebSocketClientOptions extends WebSocketCommonOptions {
  /** `ws://` or `wss://` URL. */
  url: string | URL;
  /** Extra headers of the upgrade request (e.g. `Authorization`). */
  headers?: Record<string, string> | undefined;
  /** `Origin` header to send (none by default, like other non-browser clients). */
  origin?: string | undefined;
  /** Offer permessage-deflate compression (default false). */
  perMessageDeflate?: boolean | undefined;
  /** TLS options for `wss://` (CA, client certificate for mTLS, minimum version, SNI). */
  tls?: TlsClientOptions | undefined;
  /** Opening-handshake timeout in ms (default 10 000). */
  connectTimeoutMs?: number | undefined;
  /** Resolves the host instead of `dns.lookup`, e.g. the SSRF guard's vetted resolution (`SsrfGuard.lookup`). */
  lookup?: LookupFunction | undefined;
}

/** Settings of `connect('ws://…' | 'wss://…', { websocket })` beyond the URI (TLS goes in `tls`). */
export type WebSocketConnectSettings = Omit<WebSocketClientOptions, 'url' | 'tls' | 'maxMessageBytes'>;

/** A client socket being opened. */
export interface OpeningWebSocket {
  /** The socket (terminate it to abort the opening). */
  socket: WebSocket;
  /** Resolves with the peer's facts once open with subprotocol `mcp`; rejects with a coded error. */
  ready: Promise<PeerInfo>;
}

function ignore(): void {
  // Errors of an aborted opening carry no news beyond the rejection.
}

/**
 * Opens a client WebSocket offering subprotocol `mcp`: redirects are not followed, the server must
 * select `mcp` (ws enforces it), and `wss://` verifies the server like `tls://` does. The socket is
 * returned paused; the caller resumes it once its handlers are installed.
 *
 * @param options - URL, headers, TLS, compression, handshake timeout (default 10 s)
 * @param maxPayload - largest accepted incoming message in bytes
 * @throws SwitchboardError `INVALID_OPTIONS` for an unreadable TLS file (synchronously)
 */
export function openWebSocket(options: WebSocketClientOptions, maxPayload: number): OpeningWebSocket {
  const url = new URL(options.url);
  const wsOptions: WebSocket.ClientOptions = {
    maxPayload,
    perMessageDeflate: options.perMessageDeflate ?? false,
    handshakeTimeout: options.connectTimeoutMs ?? DEFAULT_WS_CONNECT_TIMEOUT_MS,
    followRedirects: false,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
  };
  // ws hands its options to tls.connect(); its own typings list only part of them.
  if (url.protocol === 'wss:') Object.assign(wsOptions, tlsClientOptions(options.tls ?? {}, url.hostname));
  const socket = new (loadWs().WebSocket)(url, [MCP_SUBPROTOCOL], wsOptions);
  const ready = new Promise<PeerInfo>((resolve, reject) => {
    let peer: PeerInfo = {};
    const fail = (error: SwitchboardError): void => {
      socket.removeAllListeners();
      socket.on('error', ignore);
      socket.terminate();
      reject(error);
    };
    socket.once('upgrade', (res: IncomingMessage) => {
      peer = peerInfoOf(res.socket);
    });
    socket.once('open', () => {
      // Frames that came with the handshake response are emitted right after 'open', before the
      // transport installed its handlers: hold them until start() resumes the socket.
      socket.pause();
      socket.removeAllListeners();
      socket.on('error', ignore);
      resolve(peer);
    });
    socket.once('unexpected-response', (_req, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      res.resume();
      fail(
        new SwitchboardError(
          'CONNECTION_REJECTED',
          `WebSocket upgrade to ${url.href} refused: HTTP ${status}`,
          {
            details: { status, target: url.href },
          },
        ),
      );
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        new SwitchboardError('CONNECTION_FAILED', `Cannot open WebSocket ${url.href}: ${error.message}`, {
          cause: error,
          details: { systemCode: error.code, target: url.href },
        }),
      ),
    );
  });
  return { socket, ready };
}

/**
 * Orderly close: the closing handshake (code 1000 unless given) after everything already sent, or
 * `terminate()` once `timeoutMs` passed without the peer's answer.
 */
export function closeWebSocket(
  socket: WebSocket,
  timeoutMs: number,
  code = 1000,
  reason?: string,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // A paused socket would never read the peer's close frame.
    socket.resume();
    socket.close(code, reason);
  });
}
