import { SwitchboardError } from '../errors.js';

/** Close codes that mean an orderly end: normal closure, going away, no status given. */
const ORDERLY = new Set([1000, 1001, 1005]);

/**
 * Why a WebSocket closed, from its close code: `TRANSPORT_CLOSED` for an orderly end, otherwise
 * `CONNECTION_FAILED` with `details.closeCode` (e.g. 1009 when the peer found our message too big,
 * 1006 when the connection dropped without a closing handshake).
 */
export function closeReasonOf(code: number, reason: Buffer): SwitchboardError {
  if (ORDERLY.has(code)) return new SwitchboardError('TRANSPORT_CLOSED', 'The peer closed the connection');
  const text = reason.toString('utf8');
  return new SwitchboardError(
    'CONNECTION_FAILED',
    `WebSocket closed with code ${code}${text ? ` (${text})` : ''}`,
    {
      details: { closeCode: code, closeReason: text },
    },
  );
}

/**
 * The close reason implied by a `ws` error (ws closes the connection after each): `FRAME_TOO_LARGE`
 * for an incoming message over `maxPayload` (closed with 1009), `CONNECTION_FAILED` otherwise.
 */
export function errorReasonOf(error: Error & { code?: string }, maxMessageBytes: number): SwitchboardError {
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return new SwitchboardError(
      'FRAME_TOO_LARGE',
      `Incoming message exceeds the limit of ${maxMessageBytes} bytes; closed with 1009`,
      { cause: error, details: { limit: maxMessageBytes, closeCode: 1009 } },
    );
  }
  return new SwitchboardError('CONNECTION_FAILED', `WebSocket error: ${error.message}`, {
    cause: error,
    details: { systemCode: error.code },
  });
}

/** The reason of a connection dropped by keep-alive. */
export function pingTimeoutReason(intervalMs: number): SwitchboardError {
  return new SwitchboardError(
    'CONNECTION_FAILED',
    `The peer did not answer a ping within ${intervalMs} ms; connection dropped`,
    { details: { reason: 'ping-timeout' } },
  );
}

/**
 * The close code and text for a connection we end because of the peer's behaviour: 1013 (try again
 * later) when the shared buffer budget is spent, 1008 (policy violation) when a deadline passed;
 * `undefined` for any other reason.
 */
export function refusalCloseCode(
  reason: SwitchboardError | undefined,
): { code: number; reason: string } | undefined {
  if (reason?.code === 'BUFFER_BUDGET_EXCEEDED') return { code: 1013, reason: 'buffer budget exceeded' };
  if (reason?.code === 'FRAME_TIMEOUT') return { code: 1008, reason: 'message timeout' };
  return undefined;
}
