import type { Command } from 'commander';
import { createParser } from 'eventsource-parser';
import { SwitchboardError } from '../../errors.js';
import type { LiveSnapshot } from '../../dashboard/live-types.js';
import { renderTop } from '../../dashboard/top-render.js';

interface TopFlags {
  admin: string;
  token?: string;
  apiKey?: string;
  apiKeyHeader?: string;
  once?: boolean;
}

/** The live stream URL of an admin endpoint (or of an HTTP frontend serving the dashboard). */
export function eventsUrl(admin: string): URL {
  let base: URL;
  try {
    base = new URL(/^https?:\/\//i.test(admin) ? admin : `http://${admin}`);
  } catch {
    throw new SwitchboardError(
      'INVALID_OPTIONS',
      `--admin "${admin}": expected a URL such as http://127.0.0.1:9090`,
    );
  }
  return new URL('/dashboard/api/events', base);
}

function headersOf(flags: TopFlags): Record<string, string> {
  const token = flags.token ?? process.env.SWITCHBOARD_TOKEN;
  const key = flags.apiKey ?? process.env.SWITCHBOARD_API_KEY;
  if (token !== undefined) return { authorization: `Bearer ${token}` };
  if (key !== undefined) return { [flags.apiKeyHeader ?? 'x-api-key']: key };
  return {};
}

/** Registers `switchboard top`. */
export function registerTopCommand(program: Command): void {
  program
    .command('top')
    .description('live figures of a running switchboard in the terminal: sessions, backends, calls')
    .requiredOption(
      '--admin <url>',
      'the admin endpoint (--admin-bind) or an HTTP frontend serving --dashboard',
    )
    .option('--token <jwt>', 'bearer token when authentication is on (or SWITCHBOARD_TOKEN)')
    .option('--api-key <key>', 'API key when authentication is on (or SWITCHBOARD_API_KEY)')
    .option('--api-key-header <name>', 'header of the API key (default x-api-key)')
    .option('--once', 'print one screen (no colour unless forced) and exit')
    .action(async (flags: TopFlags) => {
      try {
        await runTop(flags);
      } catch (error) {
        console.error(`switchboard top: ${(error as Error).message}`);
        process.exitCode = error instanceof SwitchboardError && error.code === 'INVALID_OPTIONS' ? 2 : 1;
      }
    });
}

async function runTop(flags: TopFlags): Promise<void> {
  const url = eventsUrl(flags.admin);
  const controller = new AbortController();
  const out = process.stdout;
  const interactive = !flags.once && out.isTTY;
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (interactive && process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (key: Buffer) => {
      const k = key.toString();
      if (k === 'q' || k === '\u0003') stop();
    });
  }
  if (interactive) out.write('\u001b[?1049h\u001b[?25l'); // alternate screen, hide the cursor
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers: headersOf(flags), signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) return;
      throw new SwitchboardError(
        'CONNECTION_FAILED',
        `cannot reach ${url.origin}: ${(error as Error).message}`,
      );
    }
    if (response.status === 401 || response.status === 403)
      throw new SwitchboardError(
        'AUTH_REQUIRED',
        `${url.origin} refused: ${response.status} (give --token or --api-key)`,
      );
    if (response.status === 404)
      throw new SwitchboardError(
        'CONNECTION_FAILED',
        `${url.origin} serves no dashboard (is it the --admin-bind address?)`,
      );
    if (!response.ok || response.body === null)
      throw new SwitchboardError('CONNECTION_FAILED', `${url.origin} answered ${response.status}`);
    let done = false;
    const parser = createParser({
      onEvent: (event) => {
        if (event.event !== 'snapshot' || done) return;
        const snapshot = JSON.parse(event.data) as LiveSnapshot;
        const screen = renderTop(snapshot, {
          width: out.columns,
          height: out.rows,
          source: url.origin,
          ...(interactive ? {} : { color: false }),
        });
        if (interactive) out.write(`\u001b[H\u001b[2J${screen}`);
        else {
          out.write(`${screen}\n`);
          done = true;
          controller.abort();
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body)
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
    if (!controller.signal.aborted)
      throw new SwitchboardError('CONNECTION_FAILED', `${url.origin} closed the stream`);
  } finally {
    if (interactive) out.write('\u001b[?25h\u001b[?1049l');
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
