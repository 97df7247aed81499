// The raw NDJSON echo MCP server over TCP or a Unix socket (no SDK).
// Usage: node raw-echo-socket.js tcp | unix <path>. Prints "LISTENING <uri>" once bound.
import { createServer } from 'node:net';
import { serveNdjson } from './ndjson-echo.js';

const [kind, path] = process.argv.slice(2);
const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  serveNdjson(socket, socket);
});
const announce = () => {
  const address = server.address();
  const uri =
    typeof address === 'string' || address === null ? `unix://${path}` : `tcp://127.0.0.1:${address.port}`;
  process.stdout.write(`LISTENING ${uri}\n`);
};
if (kind === 'unix' && path) server.listen(path, announce);
else server.listen(0, '127.0.0.1', announce);
