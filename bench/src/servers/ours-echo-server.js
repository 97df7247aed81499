// The raw echo answered through one of OUR server-side transports: the stdio server transport
// (`stdio:`) or any listener of `mcp-switchboard/endpoint` (`tcp://127.0.0.1:0`, `unix:///path`,
// `ws://127.0.0.1:0/mcp`, `http://127.0.0.1:0/mcp`, …). No SDK: each message is answered directly,
// so the numbers are the transport's. Prints "LISTENING <url>" once a listener is bound.
// Usage: node ours-echo-server.js <uri> [json-options]
import { answer } from './echo-logic.js';

const [uri = 'stdio:', optionsJson = '{}'] = process.argv.slice(2);
const options = JSON.parse(optionsJson);

/** @param {import('mcp-switchboard').Transport} transport */
function serve(transport) {
  transport.onmessage = (message) => {
    const response = answer(message);
    if (response !== undefined) transport.send(/** @type {any} */ (response)).catch(() => undefined);
  };
  transport.onerror = (error) => process.stderr.write(`ours-echo: ${error.message}\n`);
  transport.start().catch((error) => process.stderr.write(`ours-echo: ${String(error)}\n`));
}

if (uri === 'stdio:') {
  const { StdioServerTransport } = await import('mcp-switchboard/transports/stdio-server');
  const transport = new StdioServerTransport();
  transport.onclose = () => process.exit(0);
  serve(transport);
} else {
  const { listen } = await import('mcp-switchboard/endpoint');
  const listener = await listen(uri, { ...options, onConnection: serve });
  process.stdout.write(`LISTENING ${listener.url}\n`);
}
