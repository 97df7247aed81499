import { setMaxListeners } from 'node:events';
import { SwitchboardError, toSwitchboardError } from '../../../errors.js';
import { parseFrame } from '../../../framing/frame-parser.js';
import type { JSONRPCMessage } from '../../../protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../../transport.js';
import { answerFrameError } from '../../frame-error-policy.js';
import { McpHeader, MediaType } from '../shared/headers.js';
import {
  bearerHeader,
  resolveHttpClientOptions,
  type HttpClientOptions,
  type ResolvedHttpClientOptions,
} from './http-client-options.js';
import {
  discardBody,
  exceedsBytes,
  failedResponseError,
  mediaTypeOf,
  sendHttpRequest,
  withAuthRetry,
  type ResponseBody,
} from './http-request.js';
import { readSseStream, type SseEvent } from './sse-stream-reader.js';

type State = 'idle' | 'starting' | 'open' | 'closed';

/**
 * Client of the deprecated HTTP+SSE transport of MCP 2024-11-05: `GET` opens an SSE stream whose first
 * event, `endpoint`, names the URL to `POST` messages to; the server's messages arrive as `message`
 * events on the stream.
 *
 * - `start()` resolves once the `endpoint` event arrived. An endpoint on another origin than the SSE
 *   URL is refused (`CONNECTION_FAILED`), so a server cannot redirect messages and credentials elsewhere.
 * - `send()` resolves when the POST is accepted (2xx); errors are coded (`AUTH_REQUIRED`, `HTTP_ERROR`…).
 * - **Reconnection:** none. The 2024-11-05 transport has no resumption: a new `GET` starts a new server
 *   session, and whatever the old one held is gone. When the stream ends the transport closes
 *   (`onclose`), pending requests fail at once in the SDK, and the owner (client, proxy supervisor)
 *   reconnects by creating a new transport and initializing again.
 *
 * @example
 * ```ts
 * const transport = new LegacySseClientTransport(new URL('http://127.0.0.1:3001/sse'));
 * await client.connect(transport);
 * ```
 */
export class LegacySseClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string | undefined = undefined;
  /** One POST per message, but responses share the one SSE stream: no per-request stream. */
  readonly hasPerRequestStream = false;

  readonly #url: URL;
  readonly #opts: ResolvedHttpClientOptions;
  readonly #abort = new AbortController();
  #state: State = 'idle';
  #endpoint: URL | undefined;
  #endpointWaiter: { resolve: () => void; reject: (error: SwitchboardError) => void } | undefined;
  #protocolVersion: string | undefined;
  #inFlight = 0;

  /**
   * @param url - the SSE endpoint (`http:` or `https:`)
   * @param options - see {@link HttpClientOptions} (`transport` is ignored)
   * @throws SwitchboardError `INVALID_OPTIONS`
   */
  constructor(url: URL, options: HttpClientOptions = {}) {
    this.#url = url;
    // Every in-flight request listens on the transport's signal (and removes its listener when done):
    // many concurrent requests are normal here, not a leak.
    setMaxListeners(0, this.#abort.signal);
    this.#opts = resolveHttpClientOptions(options);
  }

  /** The POST URL the server announced, once started. */
  get endpoint(): URL | undefined {
    return this.#endpoint;
  }

  /** Called by the SDK after initialization; sent as `MCP-Protocol-Version` on later POSTs. */
  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new SwitchboardError('ALREADY_STARTED', 'Transport already started');
    this.#state = 'starting';
    try {
      const body = await this.#openStream();
      const endpoint = new Promise<void>((resolve, reject) => {
        this.#endpointWaiter = { resolve, reject };
      });
      const timer = setTimeout(() => {
        this.#endpointWaiter?.reject(
          new SwitchboardError(
            'CONNECTION_FAILED',
            `No "endpoint" event from ${this.#url.href} within ${this.#opts.legacyEndpointTimeoutMs} ms: not an HTTP+SSE server`,
          ),
        );
      }, this.#opts.legacyEndpointTimeoutMs);
      void this.#read(body);
      try {
        await endpoint;
      } finally {
        clearTimeout(timer);
        this.#endpointWaiter = undefined;
      }
    } catch (error) {
      this.#state = 'closed';
      this.#abort.abort();
      throw toSwitchboardError(error, 'CONNECTION_FAILED');
    }
    if (this.#state === 'starting') this.#state = 'open';
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const endpoint = this.#endpoint;
    if (this.#state !== 'open' || endpoint === undefined) {
      throw new SwitchboardError(
        this.#state === 'closed' ? 'TRANSPORT_CLOSED' : 'NOT_STARTED',
        this.#state === 'closed' ? 'Transport closed' : 'Transport not started',
      );
    }
    const body = JSON.stringify(message);
    if (exceedsBytes(body, this.#opts.maxMessageBytes)) {
      throw new SwitchboardError(
        'FRAME_TOO_LARGE',
        `Message exceeds the limit of ${this.#opts.maxMessageBytes} bytes`,
      );
    }
    if (this.#inFlight >= this.#opts.maxInFlightRequests) {
      throw new SwitchboardError(
        'WRITE_FAILED',
        `${this.#inFlight} POSTs already in flight (maxInFlightRequests)`,
      );
    }
    this.#inFlight++;
    try {
      const res = await withAuthRetry(
        async () => {
          const headers = await this.#headers(MediaType.json);
          headers['content-type'] = MediaType.json;
          if (this.#protocolVersion !== undefined) headers[McpHeader.protocolVersion] = this.#protocolVersion;
          return sendHttpRequest(
            {
              method: 'POST',
              url: endpoint,
              headers,
              body,
              signal: this.#abort.signal,
              headersTimeoutMs: this.#opts.headersTimeoutMs,
            },
            this.#opts.dispatcher,
          );
        },
        endpoint,
        this.#opts.onUnauthorized,
      );
      if (res.status >= 200 && res.status < 300) {
        await discardBody(res.body);
        return;
      }
      throw await failedResponseError(res, { method: 'POST', url: endpoint });
    } catch (error) {
      throw this.#closed()
        ? new SwitchboardError('TRANSPORT_CLOSED', 'Transport closed', { cause: error })
        : error;
    } finally {
      this.#inFlight--;
    }
  }

  close(): Promise<void> {
    this.#finish(undefined);
    return Promise.resolve();
  }

  /** A method, not a field read, so that TypeScript does not narrow the state across awaits. */
  #closed(): boolean {
    return this.#state === 'closed';
  }

  async #headers(accept: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...this.#opts.headers, accept };
    const auth = await bearerHeader(this.#opts.token);
    if (auth !== undefined) headers.authorization = auth;
    return headers;
  }

  async #openStream(): Promise<ResponseBody> {
    const res = await withAuthRetry(
      async () =>
        sendHttpRequest(
          {
            method: 'GET',
            url: this.#url,
            headers: await this.#headers(MediaType.eventStream),
            signal: this.#abort.signal,
            bodyTimeoutMs: this.#opts.streamIdleTimeoutMs,
            headersTimeoutMs: this.#opts.headersTimeoutMs,
          },
          this.#opts.dispatcher,
        ),
      this.#url,
      this.#opts.onUnauthorized,
    );
    if (res.status < 200 || res.status >= 300)
      throw await failedResponseError(res, { method: 'GET', url: this.#url });
    const type = mediaTypeOf(res.header('content-type'));
    if (type !== MediaType.eventStream) {
      await discardBody(res.body);
      throw new SwitchboardError(
        'HTTP_ERROR',
        `GET ${this.#url.href} answered "${type ?? '(none)'}", not an SSE stream`,
        {
          details: { status: res.status, contentType: type },
        },
      );
    }
    return res.body;
  }

  async #read(body: ResponseBody): Promise<void> {
    let reason: SwitchboardError | undefined;
    try {
      await readSseStream(
        body as AsyncIterable<Uint8Array>,
        {
          onEvent: (event) => this.#onEvent(event),
          onOversize: (error) => this.#report(error),
          onFault: (error) => this.#report(error),
        },
        this.#opts.maxMessageBytes,
      );
      reason = new SwitchboardError('TRANSPORT_CLOSED', 'The server closed the SSE stream');
    } catch (error) {
      reason = new SwitchboardError('CONNECTION_FAILED', 'The SSE stream broke', { cause: error });
    }
    if (this.#state === 'closed') return;
    this.#endpointWaiter?.reject(reason);
    if (this.#state === 'open') {
      if (reason.code !== 'TRANSPORT_CLOSED') this.#report(reason);
      this.#finish(reason);
    }
  }

  #onEvent(event: SseEvent): void {
    if (this.#endpoint === undefined) {
      this.#acceptEndpoint(event);
      return;
    }
    if (event.event !== undefined && event.event !== 'message') return; // later `endpoint` events, custom types
    if (event.data === '') return;
    parseFrame(event.data, {
      onmessage: (message) => this.#deliver(message),
      onerror: (error) => {
        this.#report(error);
        answerFrameError(error, { reply: () => undefined, deliver: (m) => this.#deliver(m) });
      },
    });
  }

  #acceptEndpoint(event: SseEvent): void {
    const waiter = this.#endpointWaiter;
    if (event.event !== 'endpoint') {
      waiter?.reject(
        new SwitchboardError(
          'CONNECTION_FAILED',
          `The first SSE event of ${this.#url.href} is not "endpoint"`,
        ),
      );
      return;
    }
    let endpoint: URL;
    try {
      endpoint = new URL(event.data.trim(), this.#url);
    } catch (cause) {
      waiter?.reject(
        new SwitchboardError('CONNECTION_FAILED', 'The "endpoint" event holds no valid URL', { cause }),
      );
      return;
    }
    if (endpoint.origin !== this.#url.origin) {
      waiter?.reject(
        new SwitchboardError(
          'CONNECTION_FAILED',
          `The "endpoint" event names another origin (${endpoint.origin}) than the SSE URL (${this.#url.origin}); refused`,
          { details: { endpoint: endpoint.href } },
        ),
      );
      return;
    }
    this.#endpoint = endpoint;
    waiter?.resolve();
  }

  #deliver(message: JSONRPCMessage): void {
    if (this.#state === 'closed') return;
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }

  #report(error: Error): void {
    try {
      this.onerror?.(error);
    } catch {
      // A throwing error handler must not break the transport.
    }
  }

  #finish(_reason: SwitchboardError | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#abort.abort();
    try {
      this.onclose?.();
    } catch (error) {
      this.#report(toSwitchboardError(error));
    }
  }
}
