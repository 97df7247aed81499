/**
 * The few MCP messages the lean load generators speak: initialize, notifications/initialized and
 * tools/call "echo" with a payload of a fixed size. Lines are prebuilt so a request costs one string
 * concatenation.
 */

/** The protocol revision the lean clients ask for (session era, understood by every peer). */
export const PROTOCOL_VERSION = '2025-06-18';

const CLIENT_INFO = { name: 'switchboard-bench', version: '0.0.0' };

/** The initialize request (id 0). */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
};

/** The initialized notification. */
export const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' };

/**
 * The payload echoed by the tool: ASCII, so its JSON form needs no escaping and its size in bytes is
 * its length.
 * @param {number} bytes
 */
export function payloadText(bytes) {
  return 'x'.repeat(bytes);
}

/**
 * Prebuilt tools/call frames for one payload size.
 * @param {number} payloadBytes
 * @param {string[]} [tools] - the tool names to call, in turn by request id (default `echo`; a
 *   gateway's `a__echo`, `b__echo` spread the load over its servers)
 */
export function callFrames(payloadBytes, tools = ['echo']) {
  const text = payloadText(payloadBytes);
  const head = '{"jsonrpc":"2.0","id":';
  const tails = tools.map(
    (name) => `,"method":"tools/call","params":{"name":"${name}","arguments":{"text":"${text}"}}}`,
  );
  const n = tails.length;
  return {
    text,
    /** @param {number} id */
    line: (id) => head + id + tails[id % n],
    /** @param {number} id */
    object: (id) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: tools[id % n], arguments: { text } },
    }),
  };
}

/**
 * Checks a tools/call echo response. Returns an error text, or undefined when the result is the echo.
 * @param {any} message - a parsed JSON-RPC response
 * @param {number} payloadBytes
 * @returns {string | undefined}
 */
export function checkEcho(message, payloadBytes) {
  if (message.error) return `JSON-RPC error ${message.error.code}: ${message.error.message}`;
  return checkEchoResult(message.result, payloadBytes);
}

/**
 * Checks a tools/call result (as the SDK Client returns it).
 * @param {any} result
 * @param {number} payloadBytes
 * @returns {string | undefined}
 */
export function checkEchoResult(result, payloadBytes) {
  const text = result?.content?.[0]?.text;
  if (typeof text !== 'string') return 'response without echo text';
  if (text.length !== payloadBytes) return `echo of ${text.length} bytes, expected ${payloadBytes}`;
  if (result.isError) return `tool error: ${text.slice(0, 200)}`;
  return undefined;
}
