import { toJsonRpcError, type SwitchboardError } from '../errors.js';
import { errorResponse, type JSONRPCErrorResponse } from '../protocol/messages.js';

/** How a transport answers a frame it had to drop. */
export interface FrameErrorSinks {
  /** Sends a message back to the peer. */
  reply: (message: JSONRPCErrorResponse) => void;
  /** Delivers a message locally, as if it came from the peer. */
  deliver: (message: JSONRPCErrorResponse) => void;
}

/**
 * Turns a dropped frame into an answer instead of silence:
 * - a broken *request* whose id was recovered gets a JSON-RPC error response sent back to the peer;
 * - a broken *response* whose id was recovered is replaced, locally, by an error response with that id,
 *   so the request it answers fails at once instead of waiting for its timeout.
 * - a parsed request whose id is invalid gets an error response without an id;
 * Other frames of unknown kind or without an id are only reported (by the caller, through `onerror`).
 */
export function answerFrameError(error: SwitchboardError, sinks: FrameErrorSinks): void {
  const { requestId, messageKind } = error.details;
  if (requestId === undefined) {
    // A parsed request whose id is not an id (fractional, beyond 2^53 − 1, an object…): JSON-RPC asks
    // for an error without a usable id, and the client would otherwise wait for an answer forever.
    if (messageKind === 'request' && error.code === 'INVALID_MESSAGE') {
      sinks.reply(errorResponse(undefined, toJsonRpcError(error)));
    }
    return;
  }
  if (messageKind === 'request') sinks.reply(errorResponse(requestId, toJsonRpcError(error)));
  else if (messageKind === 'response') sinks.deliver(errorResponse(requestId, toJsonRpcError(error)));
}
