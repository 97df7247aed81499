import type { Dispatcher } from 'undici';
import { discardBody, failedResponseError, sendHttpRequest, type HttpResponse } from './http-request.js';

/**
 * Ends a 2025-era session with `DELETE` (spec: the client SHOULD). A 405 (the server does not support
 * ending sessions) and a 404 (it already forgot the session) count as done.
 *
 * @param strict - `false` while closing: failures are swallowed (an unreachable server has no session
 *   left to end); `true` for an explicit `terminateSession()`: they are thrown
 * @throws SwitchboardError (strict only) from the request or for another status
 */
export async function deleteSession(
  url: URL,
  headers: Record<string, string>,
  options: { signal: AbortSignal; dispatcher: Dispatcher | undefined; strict: boolean },
): Promise<void> {
  let res: HttpResponse;
  try {
    res = await sendHttpRequest(
      { method: 'DELETE', url, headers, signal: options.signal },
      options.dispatcher,
    );
  } catch (error) {
    if (options.strict) throw error;
    return;
  }
  if ((res.status >= 200 && res.status < 300) || res.status === 405 || res.status === 404) {
    await discardBody(res.body);
    return;
  }
  const error = await failedResponseError(res, { method: 'DELETE', url });
  if (options.strict) throw error;
}
