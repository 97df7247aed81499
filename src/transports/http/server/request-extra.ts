import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthInfo, MessageExtraInfo, PeerInfo, RequestInfo } from '../../../transport.js';
import { parseRequestTarget } from '../../request-url.js';
import { peerInfoOf } from '../../tls-options.js';

const peers = new WeakMap<Socket, PeerInfo>();

/** `RequestInfo` whose `url` is built only when read (most servers never read it). */
class HttpRequestInfo implements RequestInfo {
  readonly headers: IncomingHttpHeaders;
  readonly #req: IncomingMessage;
  readonly #scheme: string;
  #url: URL | undefined;

  constructor(req: IncomingMessage, scheme: string) {
    this.headers = req.headers;
    this.#req = req;
    this.#scheme = scheme;
  }

  get url(): URL {
    if (this.#url === undefined) {
      let url: URL;
      try {
        url = new URL(`${this.#scheme}://${this.#req.headers.host ?? 'localhost'}`);
      } catch {
        url = new URL(`${this.#scheme}://localhost`);
      }
      // Path and query from the request line, read safely (`//…` is a path, never an authority).
      const target = parseRequestTarget(this.#req.url);
      if (target !== undefined) {
        url.pathname = target.pathname;
        url.search = target.search;
      }
      this.#url = url;
    }
    return this.#url;
  }
}

/**
 * The `extra` delivered with each message of one HTTP request: `requestInfo` (headers, url),
 * `authInfo` from the `authenticate` hook, and `peer` (address; verified client certificate on mTLS).
 */
export function requestExtra(
  req: IncomingMessage,
  authInfo: AuthInfo | undefined,
  scheme: string,
): MessageExtraInfo {
  const socket = req.socket;
  let peer = peers.get(socket);
  if (peer === undefined) {
    peer = peerInfoOf(socket);
    peers.set(socket, peer);
  }
  const extra: MessageExtraInfo = { requestInfo: new HttpRequestInfo(req, scheme), peer };
  if (authInfo !== undefined) extra.authInfo = authInfo;
  return extra;
}

/** A header's single value (repeated headers joined as HTTP does). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
