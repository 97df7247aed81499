import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectSession, expandUriTemplate, openClientTransport } from '../../src/client/index.js';
import { listen } from '../../src/endpoint/registry.js';
import { SwitchboardError } from '../../src/errors.js';
import type { Listener } from '../../src/listener.js';

// The runtime of generated clients against an SDK v1 server on a memory: endpoint.

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

async function serve(): Promise<string> {
  const uri = `memory:client-session-${Math.random().toString(36).slice(2)}`;
  listener = await listen(uri, {
    onConnection: (transport) => {
      const server = new McpServer({ name: 'unit', version: '1.2.3' });
      server.registerTool('fail', { inputSchema: {} }, () => ({
        isError: true,
        content: [{ type: 'text', text: 'it broke' }],
      }));
      server.registerTool('plain', { inputSchema: {} }, () => ({
        content: [{ type: 'text', text: 'no data' }],
      }));
      server.registerTool('roots', { inputSchema: {} }, async () => {
        const { roots } = await server.server.listRoots();
        return { content: [{ type: 'text', text: roots.map((r) => r.uri).join(',') }] };
      });
      server.registerPrompt('p', { argsSchema: { n: z.string() } }, ({ n }) => ({
        messages: [{ role: 'user', content: { type: 'text', text: `n=${n}` } }],
      }));
      void server.connect(transport);
    },
  });
  return uri;
}

describe('connectSession / ClientSession', () => {
  it('rejects a tool error with TOOL_ERROR carrying the result, and a missing structuredContent', async () => {
    const session = await connectSession(await serve());
    expect(session.serverInfo).toEqual({ name: 'unit', version: '1.2.3' });
    const failed = await session.callTool('fail', {}).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SwitchboardError);
    expect((failed as SwitchboardError).code).toBe('TOOL_ERROR');
    expect((failed as SwitchboardError).message).toBe('tool "fail" failed: it broke');
    expect((failed as SwitchboardError).details.result).toMatchObject({ isError: true });
    await expect(session.callToolStructured('plain', {})).rejects.toMatchObject({ code: 'TOOL_ERROR' });
    await session.close();
    await session.close();
  });

  it('passes prompt arguments as strings and answers roots/list from the handler', async () => {
    const session = await connectSession(await serve(), { roots: [{ uri: 'file:///r1' }] });
    const prompt = await session.getPrompt('p', { n: 7, unused: undefined });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'n=7' });
    await expect(session.getPrompt('p', { n: { nested: true } })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    const roots = await session.callTool('roots', {});
    expect(roots.content).toEqual([{ type: 'text', text: 'file:///r1' }]);
    await session.close();
  });

  it('reports an unreachable server as CONNECTION_FAILED and a bad target as INVALID_OPTIONS', async () => {
    await expect(connectSession('memory:nobody-listens-here', { timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
    });
    expect(() => openClientTransport({})).toThrow(/give a URI/);
    expect(() => openClientTransport({ uri: 'tcp://127.0.0.1:1', command: 'x' })).toThrow(/not both/);
    expect(() => openClientTransport({ uri: 'tcp://127.0.0.1:1', authToken: 't' })).toThrow(/--auth-token/);
  });

  it('expands URI templates per RFC 6570', () => {
    expect(expandUriTemplate('demo://greeting/{name}', { name: 'Ada Lovelace' })).toBe(
      'demo://greeting/Ada%20Lovelace',
    );
    expect(expandUriTemplate('files://{+path}', { path: 'a/b c' })).toBe('files://a/b%20c');
    expect(expandUriTemplate('search://q{?query,limit}', { query: 'x', limit: 5 })).toBe(
      'search://q?query=x&limit=5',
    );
  });
});
