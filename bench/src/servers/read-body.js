/**
 * Reads a request body as text, refusing more than `maxBytes` (default 64 MiB).
 * @param {import('node:http').IncomingMessage} req
 * @param {number} [maxBytes]
 * @returns {Promise<string>}
 */
export function readBody(req, maxBytes = 64 * 1024 * 1024) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const parts = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.destroy();
        reject(new Error('body too large'));
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Reads a request body and parses it as JSON, answering the request itself when it cannot: 413 for a
 * body over `maxBytes`, 400 for one that is not JSON.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {number} [maxBytes]
 * @returns {Promise<{ body: string, message: any } | undefined>} `undefined` once it answered
 */
export async function readJsonBody(req, res, maxBytes) {
  let body;
  try {
    body = await readBody(req, maxBytes);
  } catch {
    res.writeHead(413).end();
    return undefined;
  }
  try {
    return { body, message: JSON.parse(body) };
  } catch {
    res.writeHead(400).end();
    return undefined;
  }
}
