import { SwitchboardError } from '../../errors.js';
import { listenSocket } from '../../transports/socket-listener.js';
import { SocketTransport } from '../../transports/socket-transport.js';
import type { EndpointScheme } from '../scheme.js';
import { hostAndPort } from './tcp.js';

/**
 * `tls://host:port`: MCP over TLS (≥ 1.2; server certificate and host name verified by default).
 * mTLS: the listener sets `tls.requestCert` (+ `ca`), the client `tls.cert`/`tls.key`.
 */
export const tlsScheme: EndpointScheme = {
  name: 'tls',
  example: 'tls://mcp.example.com:7443',
  connect(url, options) {
    const { host, port } = hostAndPort(url, false);
    return new SocketTransport({
      ...options.socket,
      target: { kind: 'tls', host, port, tls: options.tls },
      framing: options.framing,
      maxMessageBytes: options.maxMessageBytes,
    });
  },
  async listen(url, options) {
    const { host, port } = hostAndPort(url, true);
    const tls = options.tls;
    if (!tls) {
      throw new SwitchboardError(
        'INVALID_OPTIONS',
        'tls:// listeners need options.tls with a certificate and key ({ tls: { certFile, keyFile } })',
      );
    }
    return listenSocket({ ...options, ...options.socket, target: { kind: 'tls', host, port, tls } });
  },
};
