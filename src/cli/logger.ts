import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

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
 * The CLI's logger: pino, always to **stderr** (stdout may be an MCP transport), with secrets redacted.
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const base = { level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (format === 'pretty') {
    return pino(
      base,
      pretty({ destination: 2, colorize: Boolean(process.stderr.isTTY), sync: true, ignore: 'pid,hostname' }),
    );
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}
