import type { JSONRPCMessage } from '../../../protocol/messages.js';
import type { ResolvedHttpClientOptions } from './http-client-options.js';
import { discardBody, failedResponseError, sendHttpRequest } from './http-request.js';
import { exchangeRequest } from './rpc-exchange.js';
import type { SessionHeaders } from './session-headers.js';
import type { SessionIo } from './session-recovery.js';

/** What {@link createSessionIo} needs from its transport. */
export interface SessionIoDeps {
  url: URL;
  opts: ResolvedHttpClientOptions;
  headers: SessionHeaders;
  /** Aborted when the transport closes. */
  signal: AbortSignal;
  /** Delivers server messages that arrive on the stream of an internal exchange. */
  deliver: (message: JSONRPCMessage) => void;
  /** The server issued a new session (stop the old GET stream, tell the owner). */
  adopted: (previousSessionId: string | undefined, sessionId: string | undefined) => void;
  /** `notifications/initialized` was accepted in the new session (open its GET stream). */
  initialized: () => void;
}

/**
 * The HTTP operations of session recovery (re-initialize, ping, `notifications/initialized`), built
 * on the transport's headers. Internal exchanges are bounded by `internalRequestTimeoutMs`.
 */
export function createSessionIo(deps: SessionIoDeps): SessionIo {
  const { url, opts, headers } = deps;
  return {
    async exchange(request, withSession) {
      return exchangeRequest(
        {
          url,
          headers: withSession ? await headers.bodiless('*/*') : await headers.base('*/*'),
          signal: AbortSignal.any([deps.signal, AbortSignal.timeout(opts.internalRequestTimeoutMs)]),
          headersTimeoutMs: opts.headersTimeoutMs,
        },
        request,
        { dispatcher: opts.dispatcher, maxMessageBytes: opts.maxMessageBytes, onOther: deps.deliver },
      );
    },
    adopt(sessionId) {
      const previous = headers.sessionId;
      headers.sessionId = sessionId;
      deps.adopted(previous, sessionId);
    },
    async notify(notification) {
      const res = await sendHttpRequest(
        {
          method: 'POST',
          url,
          headers: await headers.post(notification, undefined, undefined),
          body: JSON.stringify(notification),
          signal: deps.signal,
          headersTimeoutMs: opts.headersTimeoutMs,
        },
        opts.dispatcher,
      );
      if (res.status < 200 || res.status >= 300)
        throw await failedResponseError(res, { method: 'POST', url });
      await discardBody(res.body);
      deps.initialized();
    },
  };
}
