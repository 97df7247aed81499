/**
 * An in-process MCP server (SDK v1 low-level `Server`) for the gateway tests, tagged with its name so a
 * test can tell which server answered. It records what reached it (cancellations, log levels, roots
 * notifications, subscriptions) in a shared {@link ProbeLog}.
 *
 * Tools: `echo {text}` → `<name>:<text>`; `ask {text}` (sampling: returns the client's answer);
 * `roots` (roots/list); `slow {ms}` (progress every 10 ms, stops on cancellation); `log {text}` (a log
 * message); `touch {uri}` (resources/updated). Resources `mem://<name>/a` (+ `mem://shared/x`, listed by
 * every probe), template `mem://<name>/item/{id}`; prompt `greet` with completion of its `who` argument.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  RootsListChangedNotificationSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '../../src/transport.js';
import { InMemoryTransport } from '../../src/transports/in-memory.js';

/** What reached the probes. */
export interface ProbeLog {
  cancelled: string[];
  levels: string[];
  rootsChanged: string[];
  subscribed: string[];
  started: string[];
}

export const newProbeLog = (): ProbeLog => ({
  cancelled: [],
  levels: [],
  rootsChanged: [],
  subscribed: [],
  started: [],
});

const TOOLS = ['echo', 'ask', 'roots', 'slow', 'log', 'touch'].map((name) => ({
  name,
  description: `${name} tool`,
  inputSchema: { type: 'object' as const, properties: {} },
}));

/** A probe server named `name`. */
export function createProbeServer(name: string, log: ProbeLog): Server {
  const server = new Server(
    { name: `probe-${name}`, version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true },
        prompts: {},
        logging: {},
        completions: {},
      },
      instructions: `probe ${name}`,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = request.params.arguments ?? {};
    const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });
    switch (request.params.name) {
      case 'echo':
        return text(`${name}:${String(args.text)}`);
      case 'ask': {
        const answer = await server.request(
          {
            method: 'sampling/createMessage',
            params: {
              messages: [{ role: 'user', content: { type: 'text', text: String(args.text) } }],
              maxTokens: 5,
            },
          },
          CreateMessageResultSchema,
        );
        return text(`${name} got ${answer.content.type === 'text' ? answer.content.text : '?'}`);
      }
      case 'roots': {
        const roots = await server.request({ method: 'roots/list' }, ListRootsResultSchema);
        return text(`${name} roots ${roots.roots.map((r) => r.uri).join(',')}`);
      }
      case 'slow': {
        log.started.push(name);
        const token = extra._meta?.progressToken;
        const ms = Number(args.ms ?? 100);
        for (let i = 1; i * 10 <= ms; i++) {
          if (extra.signal.aborted) {
            log.cancelled.push(name);
            return text('cancelled');
          }
          await new Promise((r) => setTimeout(r, 10));
          if (token !== undefined) {
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: i, message: name },
            });
          }
        }
        if (extra.signal.aborted) log.cancelled.push(name);
        return text(`${name} slow done`);
      }
      case 'log':
        await server.sendLoggingMessage({ level: 'info', logger: name, data: String(args.text) });
        return text('logged');
      case 'touch':
        await server.sendResourceUpdated({ uri: String(args.uri) });
        return text('touched');
      default:
        throw new Error(`unknown tool ${request.params.name}`);
    }
  });
  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [
      { uri: `mem://${name}/a`, name: `${name}-a` },
      { uri: 'mem://shared/x', name: `${name}-x` },
    ],
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [{ uriTemplate: `mem://${name}/item/{id}`, name: `${name}-item` }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => ({
    contents: [{ uri: request.params.uri, text: `${name} has ${request.params.uri}` }],
  }));
  server.setRequestHandler(SubscribeRequestSchema, (request) => {
    log.subscribed.push(`${name}:${request.params.uri}`);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, () => ({}));
  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: [{ name: 'greet', arguments: [{ name: 'who', required: true }] }],
  }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => ({
    messages: [
      {
        role: 'user',
        content: { type: 'text', text: `${name} greets ${String(request.params.arguments?.who)}` },
      },
    ],
  }));
  server.setRequestHandler(CompleteRequestSchema, (request) => ({
    completion: {
      values: [`${name}-${request.params.ref.type}-${request.params.argument.value}`],
      hasMore: false,
    },
  }));
  server.setRequestHandler(SetLevelRequestSchema, (request) => {
    log.levels.push(`${name}:${request.params.level}`);
    return {};
  });
  server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    log.rootsChanged.push(name);
  });
  return server;
}

/** A `connect` for the gateway: each call is a fresh probe server over an in-memory pair. */
export function probeConnect(name: string, log: ProbeLog): () => Transport {
  return () => {
    const [ours, theirs] = InMemoryTransport.createLinkedPair();
    void createProbeServer(name, log).connect(theirs);
    return ours;
  };
}
