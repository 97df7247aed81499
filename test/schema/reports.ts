import { connect } from '../../src/endpoint/registry.js';
import { inspectServer } from '../../src/introspect/inspect.js';
import type { InspectReport } from '../../src/introspect/report.js';
import { openBackend, parseBackendTarget } from '../../src/cli/backend-target.js';
import { projectFile } from '../fixtures/paths.js';
import { serveDemo, serveNasty } from '../introspect/servers.js';
import type { NastyOptions } from '../fixtures/nasty-server.js';
import { randomUUID } from 'node:crypto';
import { listen } from '../../src/endpoint/registry.js';
import { createConformanceServer } from '../fixtures/conformance-server.js';

/** An inspect report of the nasty fixture (in-process, memory:). */
export async function nastyReport(options: NastyOptions = {}): Promise<InspectReport> {
  const server = await serveNasty(options);
  try {
    return await inspectServer(connect(server.uri), { target: { kind: 'memory', description: server.uri } });
  } finally {
    await server.close();
  }
}

/** An inspect report of the demo server (in-process, memory:). */
export async function demoReport(): Promise<InspectReport> {
  const server = await serveDemo();
  try {
    return await inspectServer(connect(server.uri), { target: { kind: 'memory', description: server.uri } });
  } finally {
    await server.close();
  }
}

/** An inspect report of server-everything over stdio (a real child process). */
export function everythingReport(): Promise<InspectReport> {
  const target = parseBackendTarget({
    command: [projectFile('node_modules/.bin/mcp-server-everything'), 'stdio'],
  });
  return inspectServer(openBackend(target, { stderr: 'pipe' }), {
    target: { kind: 'stdio', description: 'server-everything' },
  });
}

/** An inspect report of the conformance backend (in-process, memory:). */
export async function conformanceReport(): Promise<InspectReport> {
  const uri = `memory:conformance-${randomUUID()}`;
  const listener = await listen(uri, {
    onConnection: (transport) => void createConformanceServer().connect(transport),
  });
  try {
    return await inspectServer(connect(uri), { target: { kind: 'memory', description: uri } });
  } finally {
    await listener.close();
  }
}
