import type { Command } from 'commander';

/** The flags {@link addEraOptions} declares, as commander hands them over. */
export interface EraFlags {
  backendEra?: string;
  eraStateKey?: string;
  eraInputTimeout?: string;
  eraMaxSessions?: string;
}

/**
 * Declares the era bridge flags of `switchboard serve`.
 *
 * @param command - the serve command
 * @returns the same command
 */
export function addEraOptions(command: Command): Command {
  return command
    .option(
      '--backend-era <era>',
      "the backend's protocol era: auto (probe once; default), 2025 or 2026 — clients of the other era are bridged",
    )
    .option(
      '--era-state-key <key>',
      'HMAC key (hex or base64, ≥ 32 bytes) of the requestState issued to 2026-07-28 clients of a 2025 backend (default: random per start)',
    )
    .option(
      '--era-input-timeout <duration>',
      "how long a 2025 server's elicitation/sampling/roots request waits for the 2026-07-28 client's retry (default 60s)",
    )
    .option('--era-max-sessions <n>', 'most proxy-owned 2025 sessions per 2026-07-28 caller (default 8)');
}

/** Copies the era flags into the raw configuration (flags win over the file). */
export function applyEraFlags(merged: Record<string, unknown>, flags: EraFlags): void {
  if (flags.backendEra !== undefined) merged.backendEra = flags.backendEra;
  const bridge =
    typeof merged.eraBridge === 'object' && merged.eraBridge !== null
      ? { ...(merged.eraBridge as Record<string, unknown>) }
      : {};
  if (flags.eraStateKey !== undefined) bridge.stateKey = flags.eraStateKey;
  if (flags.eraInputTimeout !== undefined) bridge.inputTimeout = flags.eraInputTimeout;
  if (flags.eraMaxSessions !== undefined) bridge.maxSessionsPerCaller = Number(flags.eraMaxSessions);
  if (Object.keys(bridge).length > 0) merged.eraBridge = bridge;
}
