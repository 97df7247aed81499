import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A free TCP port on 127.0.0.1 (bound to port 0, read, released), for programs that need a port
 * number on their command line.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh Unix socket path in the temp directory; `remove()` deletes it.
 * @returns {{ path: string, remove: () => void }}
 */
export function tempSocketPath() {
  const path = join(tmpdir(), `sb-bench-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  return { path, remove: () => rmSync(path, { force: true }) };
}
