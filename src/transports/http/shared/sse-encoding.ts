/**
 * Server-Sent Events encoding (WHATWG HTML § 9.2). JSON produced by `JSON.stringify` never contains a
 * raw line break, so one message is always one `data:` line.
 */

/**
 * One SSE event carrying `data` (a JSON-RPC message as JSON text).
 *
 * @param data - single-line payload
 * @param id - optional event id (the resumption cursor)
 * @param event - event type (default `message`)
 */
export function encodeSseEvent(data: string, id?: string, event = 'message'): string {
  return id === undefined
    ? `event: ${event}\ndata: ${data}\n\n`
    : `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/**
 * The priming event of MCP 2025-11-25 (SEP-1699): an id with empty data, optionally with the
 * reconnection delay the client must honour.
 */
export function encodeSsePriming(id: string, retryMs?: number): string {
  return retryMs === undefined ? `id: ${id}\ndata: \n\n` : `id: ${id}\nretry: ${retryMs}\ndata: \n\n`;
}

/** An SSE comment line (ignored by clients): used as a keep-alive. */
export function encodeSseComment(text = ''): string {
  return `: ${text}\n\n`;
}

/** Only a `retry:` field: tells the client how long to wait before reconnecting. */
export function encodeSseRetry(retryMs: number): string {
  return `retry: ${retryMs}\n\n`;
}
