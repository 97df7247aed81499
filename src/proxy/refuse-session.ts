import { toJsonRpcError, type SwitchboardError } from '../errors.js';
import { errorResponse, isRequest } from '../protocol/messages.js';
import type { Transport } from '../transport.js';

/** How long a refused session may take to send the request its refusal answers. */
const REFUSAL_GRACE_MS = 5000;

/**
 * Takes a client session the proxy will not serve (too many sessions, shutting down, refused by policy):
 * starts it, answers its first request with `error` (so the client learns why instead of hanging), then
 * closes it. A session that sends no request within a few seconds is closed anyway.
 */
export function refuseSession(frontend: Transport, error: SwitchboardError): void {
  const timer = setTimeout(() => void frontend.close().catch(() => undefined), REFUSAL_GRACE_MS);
  timer.unref();
  frontend.onclose = () => clearTimeout(timer);
  frontend.onmessage = (message) => {
    if (!isRequest(message)) return;
    frontend
      .send(errorResponse(message.id, toJsonRpcError(error)))
      .finally(() => frontend.close())
      .catch(() => undefined);
  };
  frontend.start().catch(() => undefined);
}
