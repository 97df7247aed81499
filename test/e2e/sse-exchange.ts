/** Raw 2025-era Streamable HTTP exchanges for the shared-state tests: POSTs and resumptions, read as SSE. */
import { EventSourceParserStream } from 'eventsource-parser/stream';

export const PROTOCOL = '2025-11-25';

export interface SseEvent {
  id?: string | undefined;
  data: string;
}

/** POSTs one JSON-RPC message; collects the SSE events until `until` says stop (or the stream ends). */
export async function post(
  url: string,
  body: unknown,
  session?: string,
  until: (e: SseEvent[]) => boolean = () => false,
): Promise<{ status: number; session: string | null; events: SseEvent[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL,
      ...(session ? { 'mcp-session-id': session } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, session: res.headers.get('mcp-session-id'), events: await read(res, until) };
}

/** GET with `Last-Event-ID`: the status, and the events until `until` says stop (or the stream ends). */
export async function resume(
  url: string,
  session: string,
  lastEventId: string,
  until: (e: SseEvent[]) => boolean = () => false,
): Promise<{ status: number; events: SseEvent[] }> {
  const res = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      'mcp-protocol-version': PROTOCOL,
      'mcp-session-id': session,
      'last-event-id': lastEventId,
    },
  });
  return { status: res.status, events: await read(res, until) };
}

/** The SSE events of a response (a non-SSE body is one event holding the whole text). */
export async function read(res: Response, until: (e: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  if (!res.body || !(res.headers.get('content-type') ?? '').includes('event-stream')) {
    const text = await res.text();
    if (text) events.push({ data: text });
    return events;
  }
  const reader = res.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      events.push({ id: value.id, data: value.data });
      if (until(events)) break;
    }
  } catch {
    // The connection died (the instance was killed): what arrived so far is returned.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return events;
}

/** The JSON-RPC messages among `events` (priming events, with empty data, left out). */
export const messages = (events: SseEvent[]): Record<string, unknown>[] =>
  events.filter((e) => e.data !== '').map((e) => JSON.parse(e.data) as Record<string, unknown>);

/** The stream number of an event id `<stream>-<seq>`. */
export const streamOf = (id: string | undefined): number => Number(id?.split('-')[0]);

/** An `initialize` request of protocol {@link PROTOCOL}. */
export function initializeRequest(id: number, capabilities: Record<string, unknown> = {}): unknown {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL, capabilities, clientInfo: { name: 't', version: '1' } },
  };
}
