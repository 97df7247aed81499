import { NODE, serverScript } from './paths.js';

/**
 * The official SDK `Client` of one major version, not yet connected.
 * @param {1 | 2} major
 */
export async function sdkClient(major) {
  const info = { name: 'switchboard-bench', version: '0.0.0' };
  if (major === 1) {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    return new Client(info);
  }
  const { Client } = await import('@modelcontextprotocol/client');
  return new Client(info);
}

/**
 * The SDK's own stdio client transport spawning a backend script of src/servers.
 * @param {1 | 2} major
 * @param {string} script - e.g. "raw-echo-stdio.js"
 */
export async function sdkStdioClient(major, script) {
  const options = { command: NODE, args: [serverScript(script)], stderr: /** @type {const} */ ('pipe') };
  if (major === 1) {
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    return new StdioClientTransport(options);
  }
  const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
  return new StdioClientTransport(options);
}

/**
 * The SDK's own Streamable HTTP client transport.
 * @param {1 | 2} major
 * @param {string} url
 */
export async function sdkHttpClient(major, url) {
  if (major === 1) {
    const { StreamableHTTPClientTransport } =
      await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    return new StreamableHTTPClientTransport(new URL(url));
  }
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  return new StreamableHTTPClientTransport(new URL(url));
}
