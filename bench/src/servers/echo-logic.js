/**
 * The answers of the raw echo backends, written without the SDK: initialize, ping, tools/list and
 * tools/call "echo" (returns its `text` argument). Notifications and responses get no answer.
 */

const SERVER_INFO = { name: 'raw-echo', version: '1.0.0' };
const FALLBACK_VERSION = '2025-06-18';
const TOOLS = {
  tools: [
    {
      name: 'echo',
      description: 'Returns its text argument unchanged.',
      inputSchema: {
        type: 'object',
        properties: { text: { type: 'string' } },
        required: ['text'],
      },
    },
  ],
};

/**
 * @param {any} message - one parsed JSON-RPC message
 * @returns {object | undefined} the response, or undefined when none is due
 */
export function answer(message) {
  if (message === null || typeof message !== 'object' || typeof message.method !== 'string') {
    return undefined;
  }
  const id = message.id;
  if (id === undefined || id === null) return undefined;
  switch (message.method) {
    case 'tools/call': {
      const params = message.params ?? {};
      if (params.name !== 'echo') return error(id, -32602, `Unknown tool: ${String(params.name)}`);
      const text = params.arguments?.text;
      return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: String(text ?? '') }] } };
    }
    case 'initialize': {
      const asked = message.params?.protocolVersion;
      return {
        jsonrpc: '2.0',
        id,
        result: {
          protocolVersion: typeof asked === 'string' ? asked : FALLBACK_VERSION,
          capabilities: { tools: {} },
          serverInfo: SERVER_INFO,
        },
      };
    }
    case 'ping':
      return { jsonrpc: '2.0', id, result: {} };
    case 'tools/list':
      return { jsonrpc: '2.0', id, result: TOOLS };
    default:
      return error(id, -32601, `Method not found: ${message.method}`);
  }
}

/**
 * @param {string | number} id
 * @param {number} code
 * @param {string} message
 */
function error(id, code, message) {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/**
 * Answers one NDJSON line; a line that is not JSON gets a parse error without id.
 * @param {string} line
 * @returns {string | undefined} the response line (without newline)
 */
export function answerLine(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  }
  const response = answer(message);
  return response === undefined ? undefined : JSON.stringify(response);
}
