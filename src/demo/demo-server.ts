import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** Name and version the demo server reports. */
export const DEMO_SERVER_INFO = { name: 'switchboard-demo', version: '0.1.0' } as const;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('cancelled'));
      },
      { once: true },
    );
  });

/**
 * The built-in demo MCP server (what `npm start` serves): tools `echo`, `add`, `countdown` (progress),
 * `sample` (asks the client's model: a server→client request), a static resource `demo://readme`, a
 * template `demo://greeting/{name}` and a prompt `greet`.
 *
 * A new server per connection: the SDK's `McpServer` serves one transport at a time.
 *
 * @example
 * ```ts
 * await createDemoServer().connect(new StdioServerTransport());
 * ```
 */
export function createDemoServer(): McpServer {
  const server = new McpServer(DEMO_SERVER_INFO, {
    capabilities: { logging: {} },
    instructions: 'A demo server of mcp-switchboard. Try the echo tool.',
  });

  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the message it was given.',
      inputSchema: { message: z.string().describe('Text to echo back') },
      annotations: { readOnlyHint: true },
    },
    ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );

  server.registerTool(
    'add',
    {
      title: 'Add',
      description: 'Adds two numbers.',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
      annotations: { readOnlyHint: true },
    },
    ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );

  server.registerTool(
    'countdown',
    {
      title: 'Countdown',
      description: 'Counts down, sending a progress notification per step (when a progress token is given).',
      inputSchema: {
        steps: z.number().int().min(1).max(1000).default(5),
        delayMs: z.number().int().min(0).max(10_000).default(100),
      },
    },
    async ({ steps, delayMs }, extra) => {
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= steps; i++) {
        await sleep(delayMs, extra.signal);
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: steps, message: `step ${i} of ${steps}` },
          });
        }
      }
      return { content: [{ type: 'text', text: `counted down ${steps} steps` }] };
    },
  );

  server.registerTool(
    'sample',
    {
      title: 'Sample',
      description: "Asks the client's model to answer a question (sampling: a server→client request).",
      inputSchema: { question: z.string() },
    },
    async ({ question }) => {
      const answer = await server.server.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: question } }],
        maxTokens: 200,
      });
      const text = answer.content.type === 'text' ? answer.content.text : `[${answer.content.type}]`;
      return { content: [{ type: 'text', text: `model said: ${text}` }] };
    },
  );

  server.registerResource(
    'readme',
    'demo://readme',
    { title: 'Read me', description: 'About this demo server', mimeType: 'text/markdown' },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'text/markdown',
          text: '# switchboard demo\nA demo MCP server served by mcp-switchboard.',
        },
      ],
    }),
  );

  server.registerResource(
    'greeting',
    new ResourceTemplate('demo://greeting/{name}', { list: undefined }),
    { title: 'Greeting', description: 'A greeting for {name}', mimeType: 'text/plain' },
    (uri, { name }) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: `Hello, ${String(name)}!` }],
    }),
  );

  server.registerPrompt(
    'greet',
    { title: 'Greet', description: 'A prompt that greets someone', argsSchema: { name: z.string() } },
    ({ name }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Please greet ${name} warmly.` } }],
    }),
  );

  return server;
}
