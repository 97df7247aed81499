/**
 * The answers of the raw 2026-07-28-only echo backend, written without the SDK: `server/discover`, and
 * tools/list and tools/call "echo" stamped as 2026-07-28 results. `initialize` is refused as a server
 * that speaks only 2026-07-28 refuses it, and so is a request without the per-request `_meta` envelope.
 */

const VERSION = '2026-07-28';
const META = { 'io.modelcontextprotocol/serverInfo': { name: 'raw-echo-2026', version: '1.0.0' } };
const TOOLS = [
  {
    name: 'echo',
    description: 'Returns its text argument unchanged.',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
];

/**
 * @param {any} message - one parsed JSON-RPC message
 * @returns {object | undefined} the response, or undefined when none is due
 */
export function answerModern(message) {
  if (message === null || typeof message !== 'object' || typeof message.method !== 'string') {
    return undefined;
  }
  const id = message.id;
  if (id === undefined || id === null) return undefined;
  if (message.params?._meta?.['io.modelcontextprotocol/protocolVersion'] !== VERSION) {
    return {
      jsonrpc: '2.0',
      id,
      error: { code: -32022, message: 'Unsupported protocol version', data: { supported: [VERSION] } },
    };
  }
  switch (message.method) {
    case 'tools/call': {
      const params = message.params ?? {};
      if (params.name !== 'echo') return error(id, -32602, `Unknown tool: ${String(params.name)}`);
      const text = params.arguments?.text;
      return complete(id, { content: [{ type: 'text', text: String(text ?? '') }] });
    }
    case 'server/discover':
      return complete(id, {
        supportedVersions: [VERSION],
        capabilities: { tools: {} },
        ttlMs: 0,
        cacheScope: 'private',
      });
    case 'tools/list':
      return complete(id, { tools: TOOLS, ttlMs: 0, cacheScope: 'private' });
    default:
      return error(id, -32601, `Method not found: ${message.method}`);
  }
}

/**
 * @param {string} line - one NDJSON line
 * @returns {string | undefined} the answer line
 */
export function answerModernLine(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  }
  const reply = answerModern(message);
  return reply === undefined ? undefined : JSON.stringify(reply);
}

/**
 * The result stamped as complete. Not `{ ...result, resultType, _meta }`: on Node 20 a spread followed
 * by members the source lacks takes V8's slow path (about a microsecond, and a slower object to
 * serialise), which would make this raw backend slower than the 2025 one it is compared with.
 * @param {unknown} id @param {object} result
 */
function complete(id, result) {
  const stamped = /** @type {Record<string, unknown>} */ (Object.assign({}, result));
  stamped.resultType = 'complete';
  stamped._meta = META;
  return { jsonrpc: '2.0', id, result: stamped };
}

/** @param {unknown} id @param {number} code @param {string} message */
function error(id, code, message) {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
