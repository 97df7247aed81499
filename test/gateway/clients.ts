import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { TransportDecorator } from '../../src/middleware/transport-decorator.js';
import type { JSONRPCMessage } from '../../src/protocol/messages.js';
import type { MessageExtraInfo, Transport } from '../../src/transport.js';

/** A client transport that keeps every message it received (to check nothing foreign arrived). */
export class Recording extends TransportDecorator {
  readonly received: JSONRPCMessage[] = [];

  constructor(inner: Transport) {
    super(inner);
  }

  protected override receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.received.push(message);
    super.receive(message, extra);
  }
}

/** An SDK v1 client with its own identity `tag`: its sampling/elicitation answers and roots carry it. */
export interface TaggedClient {
  client: Client;
  transport: Recording;
  /** Texts of the sampling requests it was asked. */
  sampled: string[];
  elicited: string[];
  logs: string[];
  updated: string[];
  toolsChanged: number;
  roots: { uri: string; name: string }[];
}

/**
 * Connects a client that answers sampling with `answer-<tag>`, elicitation with `{ name: tag }` and
 * roots with `file:///<tag>`; it records notifications.
 */
export async function taggedClient(transport: Transport, tag: string): Promise<TaggedClient> {
  const client = new Client(
    { name: `client-${tag}`, version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  const recording = new Recording(transport);
  const state: TaggedClient = {
    client,
    transport: recording,
    sampled: [],
    elicited: [],
    logs: [],
    updated: [],
    toolsChanged: 0,
    roots: [{ uri: `file:///${tag}`, name: tag }],
  };
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    const content = request.params.messages[0]?.content;
    state.sampled.push(content && 'text' in content ? String(content.text) : '');
    return { role: 'assistant', content: { type: 'text', text: `answer-${tag}` }, model: 'test' };
  });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    state.elicited.push(request.params.message);
    return { action: 'accept', content: { name: tag } };
  });
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: state.roots }));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    state.logs.push(String(n.params.data));
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    state.updated.push(n.params.uri);
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    state.toolsChanged++;
  });
  await client.connect(recording);
  return state;
}

/** The text of the first content block of a tool result. */
export const textOf = (result: unknown): string =>
  ((result as { content: { text: string }[] }).content[0] ?? { text: '' }).text;

/** Polls `cond` every 10 ms until it holds (generous deadline: the machine is shared). */
export async function eventually(cond: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
