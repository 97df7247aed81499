import { LineReader } from '../lib/ndjson-reader.js';
import { answerLine } from './echo-logic.js';

/**
 * Serves the raw echo over a byte stream pair with NDJSON framing. The answers to all lines of one
 * chunk leave in one write (what a tuned raw server does); reading pauses while the writer is full.
 * @param {import('node:stream').Readable} readable
 * @param {import('node:stream').Writable} writable
 * @param {(line: string) => string | undefined} [answer] - the answer to one line (default: the 2025 echo)
 */
export function serveNdjson(readable, writable, answer = answerLine) {
  const reader = new LineReader();
  readable.on('data', (chunk) => {
    /** @type {string[]} */
    const out = [];
    try {
      reader.push(chunk, (line) => {
        const reply = answer(line);
        if (reply !== undefined) out.push(reply);
      });
    } catch (error) {
      process.stderr.write(`raw-echo: ${String(error)}\n`);
      readable.destroy();
      return;
    }
    if (out.length === 0) return;
    out.push('');
    if (!writable.write(out.join('\n'))) {
      readable.pause();
      writable.once('drain', () => readable.resume());
    }
  });
}
