// The raw echo MCP server over WebSocket (one JSON-RPC message per text frame; `ws`, no SDK).
// Usage: node raw-echo-ws.js. Prints "LISTENING ws://127.0.0.1:<port>/mcp" once bound.
import { WebSocketServer } from 'ws';
import { answerLine } from './echo-logic.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/mcp', maxPayload: 64 * 1024 * 1024 });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const reply = answerLine(data.toString());
    if (reply !== undefined) ws.send(reply);
  });
  ws.on('error', () => ws.terminate());
});
wss.on('listening', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (wss.address());
  process.stdout.write(`LISTENING ws://127.0.0.1:${address.port}/mcp\n`);
});
