/**
 * The real parts of the gateway's end-to-end tests: server-everything over stdio, the built-in demo
 * server over HTTP (its own `switchboard serve` process), the crashing fixture over stdio with its kill
 * switch, and `switchboard serve --config gateway.yaml` in front of them.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { fixture } from '../fixtures/paths.js';
import { EVERYTHING, startServe, type Started } from './processes.js';

/** A started gateway and what it stands on. */
export interface GatewayRig {
  dir: string;
  /** The YAML config file the gateway runs with. */
  configFile: string;
  /** The crashing fixture's kill switch: while this file exists, every crashy instance exits. */
  killFile: string;
  demoUrl: string;
  gateway: Started & { urls: string[] };
  /** The gateway's bound URL of a scheme (`http`, `tcp`, `unix`, `ws`). */
  url(scheme: string): string;
  stop(): Promise<void>;
}

/** Options of {@link startGatewayRig}. */
export interface RigOptions {
  sessionMode?: 'per-session' | 'shared';
  /** Extra listen entries (URIs or `{ uri, expose }`). */
  listen?: unknown[];
  /** Extra top-level config (merged over the defaults). */
  extra?: Record<string, unknown>;
  /** Extra settings of the `crashy` server. */
  crashy?: Record<string, unknown>;
}

/** The three servers of the gateway tests, as a `servers:` map. */
export function rigServers(
  demoUrl: string,
  killFile: string,
  mode: string,
  crashy: Record<string, unknown> = {},
) {
  return {
    everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], sessionMode: mode },
    demo: { url: demoUrl, headers: { 'X-Gateway-Test': '${GATEWAY_TEST_HEADER}' }, sessionMode: mode },
    crashy: {
      command: process.execPath,
      args: [fixture('crashy-server.mjs')],
      env: { CRASHY_KILL_FILE: killFile },
      sessionMode: mode,
      restart: { maxFastFailures: 3, initialDelay: '50ms', maxDelay: '200ms' },
      ...crashy,
    },
  };
}

/**
 * Starts the demo server, writes the gateway's config (every network frontend: http, tcp, unix, ws, plus
 * `listen`) and starts the gateway.
 */
export async function startGatewayRig(options: RigOptions = {}): Promise<GatewayRig> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-gw-'));
  const killFile = path.join(dir, 'crashy.kill');
  const started: Started[] = [];
  try {
    const demo = await startServe(['--listen', 'http://127.0.0.1:0/mcp', '--log-level', 'info']);
    started.push(demo);
    const demoUrl = demo.urls[0] as string;
    const config = {
      servers: rigServers(demoUrl, killFile, options.sessionMode ?? 'per-session', options.crashy),
      listen: [
        'http://127.0.0.1:0/mcp',
        'tcp://127.0.0.1:0',
        `unix://${path.join(dir, 'gateway.sock')}`,
        'ws://127.0.0.1:0/mcp',
        ...(options.listen ?? []),
      ],
      gateway: { probeInterval: '500ms' },
      ...options.extra,
    };
    const configFile = path.join(dir, 'gateway.yaml');
    writeFileSync(configFile, stringify(config));
    const gateway = await startServe(['--config', configFile], { GATEWAY_TEST_HEADER: 'on' });
    started.push(gateway);
    return {
      dir,
      configFile,
      killFile,
      demoUrl,
      gateway,
      url: (scheme) => {
        const found = gateway.urls.find((u) => u.startsWith(`${scheme}:`));
        if (found === undefined) throw new Error(`no ${scheme} frontend in ${gateway.urls.join(', ')}`);
        return found;
      },
      stop: async () => {
        await Promise.allSettled(started.reverse().map((s) => s.stop()));
        if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw error;
  }
}
