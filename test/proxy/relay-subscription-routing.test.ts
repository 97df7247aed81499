/**
 * A relay in front of a per-request-stream frontend (Streamable HTTP) hands an unmarked notification to
 * the one call in flight, if there is exactly one. A notification of a `subscriptions/listen` stream is
 * never one of those: it names its subscription, and handing it to the call put it on the wrong stream,
 * untranslated (the 2025 bridge then missed its listen's acknowledgement and waited 30 s).
 */
import { expect, it } from 'vitest';
import { Relay } from '../../src/proxy/relay.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import type { MessageExtraInfo, Transport, TransportSendOptions } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';
import { eventually } from './harness.js';

/** The frontend side: records what the relay sends and with which options. */
class RecordingFrontend implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  readonly hasPerRequestStream = true;
  readonly sent: { message: JSONRPCMessage; options: TransportSendOptions | undefined }[] = [];
  start(): Promise<void> {
    return Promise.resolve();
  }
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.sent.push({ message, options });
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

it('never hands a listen’s notifications to the sole call in flight; other notifications still go to it', async () => {
  const frontend = new RecordingFrontend();
  const [backend, server] = InMemoryTransport.createLinkedPair();
  const received: JSONRPCMessage[] = [];
  server.onmessage = (m) => void received.push(m);
  await server.start();
  const relay = new Relay(frontend, backend);
  await relay.start();
  try {
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };
    frontend.onmessage?.({
      jsonrpc: '2.0',
      id: 'L1',
      method: 'subscriptions/listen',
      params: { _meta: meta },
    });
    frontend.onmessage?.({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'slow', _meta: meta },
    });
    await eventually(() => received.length === 2);

    await server.send({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { toolsListChanged: true },
        _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' },
      },
    });
    await server.send({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: 'x://y', _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' } },
    });
    await server.send({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'log' },
    });
    await eventually(() => frontend.sent.length === 3);

    const byMethod = new Map(frontend.sent.map((s) => [(s.message as { method: string }).method, s.options]));
    expect(byMethod.get('notifications/subscriptions/acknowledged')).toBeUndefined();
    expect(byMethod.get('notifications/resources/updated')).toBeUndefined();
    // An unmarked notification without a subscription is still the one call's.
    expect(byMethod.get('notifications/message')).toEqual({ relatedRequestId: 7 });
  } finally {
    await relay.close();
  }
});
