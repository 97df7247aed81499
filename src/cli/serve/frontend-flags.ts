import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SwitchboardError } from '../../errors.js';

/** Values of `--frontend`. */
export const FrontendKinds = ['stdio', 'http', 'tcp', 'unix', 'websocket'] as const;
export type FrontendKind = (typeof FrontendKinds)[number];

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

/**
 * Turns the seed-style frontend flags into a listen URI: `--frontend http --bind 127.0.0.1:3000
 * --endpoint /mcp` → `http://127.0.0.1:3000/mcp`; `--frontend unix --bind /run/mcp.sock` →
 * `unix:///run/mcp.sock`. The websocket frontend serves on `/` and the endpoint path alike.
 *
 * @throws SwitchboardError `INVALID_OPTIONS` naming the fix
 */
export function frontendUri(kind: string, bind: string | undefined, endpoint: string | undefined): string {
  if (!(FrontendKinds as readonly string[]).includes(kind)) {
    throw usage(`--frontend "${kind}": expected one of ${FrontendKinds.join(', ')}`);
  }
  const k = kind as FrontendKind;
  if (endpoint !== undefined && !endpoint.startsWith('/'))
    throw usage(`--endpoint "${endpoint}": must start with "/"`);
  if (endpoint !== undefined && k !== 'http' && k !== 'websocket') {
    throw usage(`--endpoint applies to --frontend http or websocket, not ${k}`);
  }
  switch (k) {
    case 'stdio':
      if (bind !== undefined)
        throw usage("--frontend stdio takes no --bind (it serves on this process's stdin/stdout)");
      return 'stdio:';
    case 'unix': {
      if (bind === undefined) throw usage('--frontend unix needs --bind /path/to/socket');
      // Percent-encode the path (a socket path may contain %, # or ?).
      return `unix://${pathToFileURL(path.resolve(bind)).pathname}`;
    }
    case 'http':
    case 'tcp':
    case 'websocket': {
      const address = bind ?? '127.0.0.1:3000';
      if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(address)) {
        throw usage(`--bind "${address}": expected host:port (e.g. 127.0.0.1:3000 or [::1]:3000)`);
      }
      const scheme = k === 'websocket' ? 'ws' : k;
      const pathPart = k === 'tcp' ? '' : (endpoint ?? (k === 'http' ? '/mcp' : '/'));
      return `${scheme}://${address}${pathPart}`;
    }
  }
}

/** `true` when a listen URI binds only the loopback interface (or a Unix socket / stdio). */
export function isLoopbackListen(uri: string): boolean {
  if (uri.startsWith('stdio:') || uri.startsWith('unix:') || uri.startsWith('memory:')) return true;
  let host: string;
  try {
    host = new URL(uri).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
