import type { Command } from 'commander';
import { SwitchboardError } from '../../errors.js';

/** The flags {@link addSessionOptions} declares, as commander hands them over. */
export interface SessionFlags {
  firstMessageTimeout?: string;
  maxSessionsPerPrincipal?: string;
  maxBackendsPerPrincipal?: string;
  maxSessionsPerIp?: string;
  maxBackendsPerIp?: string;
  limitLoopback?: boolean;
}

const usage = (message: string): SwitchboardError => new SwitchboardError('INVALID_OPTIONS', message);

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(`--${name} "${value}": expected a whole number (0 = no cap)`);
  return Number(value);
}

/**
 * Declares the session-resource flags of `switchboard serve`: first-message timeout and per-client caps.
 *
 * @param command - the serve command
 * @returns the same command
 */
export function addSessionOptions(command: Command): Command {
  return command
    .option(
      '--first-message-timeout <duration>',
      'close a session that sends nothing this long after it opened (default 30s; 0 = never)',
    )
    .option('--max-sessions-per-principal <n>', 'sessions per authenticated caller (default 100; 0 = no cap)')
    .option(
      '--max-backends-per-principal <n>',
      'per-session backends (children) per authenticated caller (default 20; 0 = no cap)',
    )
    .option(
      '--max-sessions-per-ip <n>',
      'sessions per remote IPv4 address or IPv6 /64 (default 200; 0 = no cap)',
    )
    .option(
      '--max-backends-per-ip <n>',
      'per-session backends (children) per remote address (default 50; 0 = no cap)',
    )
    .option('--limit-loopback', 'apply the per-IP caps to loopback clients too (default: exempt)');
}

/**
 * Copies the session-resource flags into the raw configuration (flags win over the file).
 *
 * @throws SwitchboardError `INVALID_OPTIONS` for a malformed number
 */
export function applySessionFlags(merged: Record<string, unknown>, flags: SessionFlags): void {
  if (flags.firstMessageTimeout !== undefined) merged.firstMessageTimeout = flags.firstMessageTimeout;
  const limits = { ...(merged.clientLimits as Record<string, unknown> | undefined) };
  const part = (key: 'perPrincipal' | 'perAddress'): Record<string, unknown> => {
    const current = limits[key];
    const copy =
      typeof current === 'object' && current !== null ? { ...(current as Record<string, unknown>) } : {};
    limits[key] = copy;
    return copy;
  };
  const set = (key: 'perPrincipal' | 'perAddress', field: string, value: unknown): void => {
    if (value !== undefined) part(key)[field] = value;
  };
  set('perPrincipal', 'sessions', int('max-sessions-per-principal', flags.maxSessionsPerPrincipal));
  set('perPrincipal', 'backends', int('max-backends-per-principal', flags.maxBackendsPerPrincipal));
  set('perAddress', 'sessions', int('max-sessions-per-ip', flags.maxSessionsPerIp));
  set('perAddress', 'backends', int('max-backends-per-ip', flags.maxBackendsPerIp));
  if (flags.limitLoopback === true) set('perAddress', 'loopback', true);
  if (Object.keys(limits).length > 0) merged.clientLimits = limits;
}
