import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '../../../errors.js';
import { budgetExceededError, type BufferBudget } from '../../../framing/buffer-budget.js';

function tooLarge(limit: number, size: number | string): SwitchboardError {
  return new SwitchboardError(
    'FRAME_TOO_LARGE',
    `Request body of ${size} bytes exceeds the limit of ${limit} bytes`,
  );
}

// Bodies read already (to forward a request to another instance, which failed): read again from here.
const preloaded = new WeakMap<IncomingMessage, Buffer>();

/** Remembers `body` as the body of `req` for a later {@link readBody} (the stream itself is consumed). */
export function preloadBody(req: IncomingMessage, body: Buffer): void {
  preloaded.set(req, body);
}

/**
 * Reads a request body into one Buffer, refusing more than `maxBytes` (checked against
 * `Content-Length` before reading, and while reading for chunked bodies). With a `budget`, the bytes
 * read so far are held in it until the body is complete (the caller parses it at once).
 *
 * @throws SwitchboardError `FRAME_TOO_LARGE` over the limit; `BUFFER_BUDGET_EXCEEDED` when the shared
 *   budget is spent; `CONNECTION_FAILED` when the client aborts
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
  budget?: BufferBudget,
): Promise<Buffer> {
  const chunks = await readBodyParts(req, maxBytes, budget);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * {@link readBody}, but the body is returned as the chunks it arrived in (no copy into one Buffer).
 *
 * @throws as {@link readBody}
 */
export function readBodyParts(
  req: IncomingMessage,
  maxBytes: number,
  budget?: BufferBudget,
): Promise<Buffer[]> {
  const early = preloaded.get(req);
  if (early !== undefined) return Promise.resolve([early]);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.reject(tooLarge(maxBytes, declared));
  }
  const lease = budget?.lease();
  return new Promise<Buffer[]>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      lease?.release();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(tooLarge(maxBytes, `more than ${maxBytes}`));
        return;
      }
      if (lease && !lease.resize(size)) {
        cleanup();
        reject(budgetExceededError(lease.budget, { messageKind: 'unknown' }));
        return;
      }
      chunks.push(chunk);
    };
    let ended = false;
    const onEnd = (): void => {
      // The request is over: no 'data' can follow, and the late 'close' and 'error' are ignored below.
      // Leaving the listeners on the finished request saves four removals per request.
      ended = true;
      lease?.release();
      resolve(chunks);
    };
    const onError = (cause: Error): void => {
      if (ended) return;
      cleanup();
      reject(new SwitchboardError('CONNECTION_FAILED', 'The client aborted the request body', { cause }));
    };
    const onClose = (): void => {
      if (ended || req.complete) return;
      onError(new Error('request closed before its end'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
