// A small round-robin HTTP balancer for the scale-out example and tests (loopback only).
// Each request goes to the next gateway; a gateway that refuses the connection is skipped (as a load
// balancer with health checks would), so a killed instance costs its clients only their open streams.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/**
 * @param {string[]} targets - gateway base URLs, e.g. http://127.0.0.1:3001
 * @param {{ port?: number }} [options]
 * @returns {Promise<{ url: string, requests: number[], close(): Promise<void> }>}
 */
export async function startBalancer(targets, options = {}) {
  const urls = targets.map((t) => new URL(t));
  const requests = urls.map(() => 0);
  const errors = [];
  let next = 0;
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    // Two rounds over every gateway, starting at this request's turn (the counter is shared by
    // concurrent requests, so it cannot pick the retries): a reused keep-alive socket the gateway just
    // closed fails once without harm.
    const first = next++;
    for (let tried = 0; tried < 2 * urls.length; tried++) {
      const i = (first + tried) % urls.length;
      const target = urls[i];
      const ok = await new Promise((resolve) => {
        const headers = { ...req.headers, host: target.host };
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
          (answer) => {
            requests[i]++;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.flushHeaders();
            answer.on('data', (c) => res.write(c));
            answer.on('end', () => res.end());
            answer.on('error', () => res.destroy());
            res.on('close', () => answer.destroy());
            resolve(true);
          },
        );
        upstream.on('error', (error) => {
          errors.push(`${target.host}: ${error.code ?? error.message}`);
          if (errors.length > 100) errors.shift();
          if (res.headersSent) {
            res.destroy();
            resolve(true);
          } else resolve(false);
        });
        upstream.end(body);
      });
      if (ok) return;
    }
    res.writeHead(502, { 'content-type': 'text/plain' }).end('no gateway answered\n');
  });
  // Longer than any client's own keep-alive (undici: 4 s), so an idle client connection is always
  // closed by the client: a POST never meets a socket the front is closing (it would fail unsent).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    errors,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// `node round-robin.mjs <port> <gateway-url>...`
if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, ...targets] = process.argv.slice(2);
  const lb = await startBalancer(targets, { port: Number(port) });
  process.stderr.write(`round-robin front on ${lb.url} → ${targets.join(', ')}\n`);
}
