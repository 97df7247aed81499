import { toJsonRpcError, type SwitchboardError } from '../errors.js';
import { errorResponse, isRequest } from '../protocol/messages.js';
import type { Transport } from '../transport.js';

/**
 * Takes a client session the proxy will not serve (too many sessions, shutting down, refused by policy):
 * starts it, answers its first request with `error` (so the client learns why instead of hanging), then
 * closes it.
 */
export function refuseSession(frontend: Transport, error: SwitchboardError): void {
  frontend.onmessage = (message) => {
    if (!isRequest(message)) return;
    frontend
      .send(errorResponse(message.id, toJsonRpcError(error)))
      .finally(() => frontend.close())
      .catch(() => undefined);
  };
  frontend.start().catch(() => undefined);
}
