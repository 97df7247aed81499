/**
 * The contract between the driver and a load channel: one client connection (or session) of some
 * transport kind that can issue tools/call "echo" requests, many in flight at once.
 *
 * - `open()` connects and completes the MCP handshake; the driver calls it outside the timed loop.
 * - `request(id)` issues one tools/call with that JSON-RPC id; the channel calls `onresponse(id)` when
 *   the matching response arrives (with an error text when it is not the expected echo).
 * - `onfailure(reason)` reports that the channel died (connection closed, process exited).
 * - `close()` releases everything the channel opened; it is idempotent.
 *
 * @typedef {object} Channel
 * @property {() => Promise<void>} open
 * @property {(id: number) => void} request
 * @property {((id: number, error?: string) => void) | undefined} onresponse
 * @property {((reason: string) => void) | undefined} onfailure
 * @property {() => Promise<void>} close
 */

/**
 * Waits for one message with a given id, for handshakes done before the driver takes over.
 * @param {(onMessage: (message: any) => void) => void} subscribe - installs the message callback
 * @param {number | string} id
 * @param {number} [timeoutMs] - default 15 s
 * @returns {Promise<any>}
 */
export function awaitResponse(subscribe, id, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no response to request ${id} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    subscribe((message) => {
      if (message?.id !== id) return;
      clearTimeout(timer);
      if (message.error) reject(new Error(`JSON-RPC error ${message.error.code}: ${message.error.message}`));
      else resolve(message);
    });
  });
}

export {};
