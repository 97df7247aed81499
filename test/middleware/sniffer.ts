import net from 'node:net';

/**
 * A TCP forwarder between a client and a server that records the bytes of both directions and can
 * rewrite or inject NDJSON lines travelling from the client to the server.
 */
export interface Sniffer {
  port: number;
  /** Every byte the client sent, and every byte the server sent. */
  c2s: () => Buffer;
  s2c: () => Buffer;
  /** Complete lines the client sent so far. */
  c2sLines: () => string[];
  /** Rewrites client→server lines (return the line unchanged to pass it). */
  rewrite: (fn: ((line: string, index: number) => string) | undefined) => void;
  /** Sends raw bytes to the server as if the client had sent them. */
  inject: (data: string) => void;
  /** Resolves when the server side of the (first) connection closed. */
  serverClosed: Promise<void>;
  close: () => Promise<void>;
}

export async function startSniffer(targetPort: number): Promise<Sniffer> {
  const c2s: Buffer[] = [];
  const s2c: Buffer[] = [];
  const lines: string[] = [];
  let rewrite: ((line: string, index: number) => string) | undefined;
  let upstream: net.Socket | undefined;
  const sockets = new Set<net.Socket>();
  let markClosed!: () => void;
  const serverClosed = new Promise<void>((resolve) => (markClosed = resolve));
  const server = net.createServer((client) => {
    sockets.add(client);
    const up = net.connect(targetPort, '127.0.0.1');
    upstream = up;
    sockets.add(up);
    let pending = '';
    client.on('data', (chunk: Buffer) => {
      c2s.push(chunk);
      pending += chunk.toString('latin1');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      const fn = rewrite;
      if (fn === undefined) {
        // Pass bytes through as they come (WebSocket frames have no line structure).
        for (const part of parts) lines.push(part);
        up.write(chunk);
        return;
      }
      // Rewriting works on whole NDJSON lines; a partial line waits for its end.
      const head = parts.map((part) => {
        const index = lines.push(part) - 1;
        return `${fn(part, index)}\n`;
      });
      up.write(Buffer.from(head.join(''), 'latin1'));
    });
    up.on('data', (chunk: Buffer) => {
      s2c.push(chunk);
      client.write(chunk);
    });
    up.on('close', () => {
      markClosed();
      client.destroy();
    });
    client.on('close', () => up.destroy());
    client.on('error', () => undefined);
    up.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    c2s: () => Buffer.concat(c2s),
    s2c: () => Buffer.concat(s2c),
    c2sLines: () => [...lines],
    rewrite: (fn) => (rewrite = fn),
    inject: (data) => upstream?.write(data),
    serverClosed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
