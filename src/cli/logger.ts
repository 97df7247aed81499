import { pino, type Logger } from 'pino';
import { loadPinoPretty } from '../lazy-modules.js';
import { redactUrlsDeep, redactUrlsIn } from '../observability/redact-url.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  /** `pretty` (default on a terminal) or `json`. */
  format?: 'json' | 'pretty' | undefined;
}

/** Paths redacted from every log line: credentials never reach the logs. */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'token',
  '*.token',
  'authToken',
  '*.authToken',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'env',
  '*.env',
  'key',
  '*.key',
  'keys',
  '*.keys',
  'cookie',
  '*.cookie',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
];

/**
 * The CLI's logger: pino, always to **stderr** (stdout may be an MCP transport), with secrets redacted:
 * the {@link REDACTED_PATHS}, and in every URL of a record or message its user name, password and
 * query values (`https://***@host/mcp?key=***`).
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const base = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: {
      log: (record: Record<string, unknown>) => redactUrlsDeep(record) as Record<string, unknown>,
    },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactUrlsIn(a) : a)),
        );
      },
    },
  };
  if (format === 'pretty') {
    // Loaded only for a terminal: a JSON logger (pipes, files, CI) does not pay for it at startup.
    const pretty = loadPinoPretty();
    return pino(
      base,
      pretty({ destination: 2, colorize: Boolean(process.stderr.isTTY), sync: true, ignore: 'pid,hostname' }),
    );
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}
