import { SwitchboardError } from '../../errors.js';
import { listenWebSocket } from '../../transports/websocket-listener.js';
import { WebSocketTransport } from '../../transports/websocket-transport.js';
import type { ConnectOptions, EndpointScheme, ListenOptions } from '../scheme.js';
import type { ListenerOptions } from '../../listener.js';
import type { Transport } from '../../transport.js';
import type { Listener } from '../../listener.js';

function checkUrl(url: URL): void {
  if (url.username !== '' || url.password !== '') {
    throw new SwitchboardError(
      'INVALID_URI',
      `Credentials are not allowed in a WebSocket URI ("${url.protocol}//…@…"); use websocket.headers`,
    );
  }
  if (url.hash !== '')
    throw new SwitchboardError('INVALID_URI', `A fragment is not allowed in "${url.href}"`);
}

function connectWs(url: URL, options: ConnectOptions): Transport {
  checkUrl(url);
  return new WebSocketTransport({
    ...options.websocket,
    url: url.href,
    tls: options.tls,
    maxMessageBytes: options.maxMessageBytes,
  });
}

async function listenWs(url: URL, options: ListenerOptions & ListenOptions): Promise<Listener> {
  checkUrl(url);
  if (url.search !== '') {
    throw new SwitchboardError('INVALID_URI', `A query is not allowed in a listen URI ("${url.href}")`);
  }
  const secure = url.protocol === 'wss:';
  if (secure && !options.tls) {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      'wss:// listeners need options.tls with a certificate and key ({ tls: { certFile, keyFile } })',
    );
  }
  const path = url.pathname || '/';
  return listenWebSocket({
    ...options,
    ...options.websocket,
    host: url.hostname,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    // The endpoint path and `/` alike, unless the caller lists the paths.
    paths: options.websocket?.paths ?? [...new Set([path, '/'])],
    tls: secure ? options.tls : undefined,
  });
}

/**
 * `ws://host:port/path`: MCP over WebSocket (custom transport; subprotocol `mcp`, one message per text
 * frame). Listening accepts upgrades on the URI's path and on `/`.
 */
export const wsScheme: EndpointScheme = {
  name: 'ws',
  example: 'ws://127.0.0.1:8080/mcp',
  connect: connectWs,
  listen: listenWs,
};

/** `wss://host:port/path`: WebSocket over TLS (mTLS with `tls.requestCert` / client `tls.cert`). */
export const wssScheme: EndpointScheme = {
  name: 'wss',
  example: 'wss://mcp.example.com/mcp',
  connect: connectWs,
  listen: listenWs,
};
