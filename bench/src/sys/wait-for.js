import { treeListensOn } from './port-owner.js';

/**
 * Resolves once the given process (or one of its descendants) listens on a TCP port, polled every
 * 50 ms. A foreign listener on the same port does not count.
 * @param {number} port
 * @param {import('./processes.js').Tracked} tracked
 * @param {number} [timeoutMs] - default 20 s
 */
export async function waitForPort(port, tracked, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void tracked.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone)
      throw new Error(`${tracked.label} exited before it listened on port ${port}: ${tracked.stderrTail()}`);
    if (treeListensOn(port, tracked.pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${tracked.label} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${tracked.stderrTail()}`,
  );
}

/**
 * Reads a process's stdout until a line `LISTENING <url>` and returns the url.
 * @param {import('./processes.js').Tracked} tracked
 * @param {number} [timeoutMs] - default 20 s
 * @returns {Promise<string>}
 */
export function waitForListening(tracked, timeoutMs = 20_000) {
  const stdout = tracked.child.stdout;
  if (!stdout) return Promise.reject(new Error(`${tracked.label} has no stdout`));
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (/** @type {Buffer} */ chunk) => {
      text += chunk.toString('utf8');
      const match = /LISTENING (\S+)/.exec(text);
      if (match?.[1]) {
        done();
        resolve(match[1]);
      } else if (text.length > 64 * 1024) text = text.slice(-1024);
    };
    const onExit = () => {
      done();
      reject(new Error(`${tracked.label} exited before listening: ${tracked.stderrTail()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${tracked.label} did not listen within ${timeoutMs} ms: ${tracked.stderrTail()}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      stdout.off('data', onData);
      tracked.child.off('exit', onExit);
    };
    stdout.on('data', onData);
    tracked.child.once('exit', onExit);
  });
}
