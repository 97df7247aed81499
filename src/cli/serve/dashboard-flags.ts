import type { Command } from 'commander';

/** The flags {@link addDashboardOptions} declares, as commander hands them over. */
export interface DashboardFlags {
  dashboard?: boolean;
  /** `false` for `--no-admin-dashboard` (commander sets `true` otherwise). */
  adminDashboard?: boolean;
  /** `false` for `--no-front-door`. */
  frontDoor?: boolean;
}

/**
 * Declares the dashboard flags of `switchboard serve`.
 *
 * @param command - the serve command
 * @returns the same command
 */
export function addDashboardOptions(command: Command): Command {
  return command
    .option('--dashboard', 'serve the live dashboard at /dashboard on the HTTP frontends too')
    .option('--no-admin-dashboard', 'do not serve /dashboard on the admin endpoint (--admin-bind)')
    .option('--no-front-door', 'answer GET / on HTTP frontends with 404 instead of the front door page');
}

/** Copies the dashboard flags into the raw configuration (flags win over the file). */
export function applyDashboardFlags(merged: Record<string, unknown>, flags: DashboardFlags): void {
  const current = merged.dashboard;
  const dashboard =
    typeof current === 'object' && current !== null ? { ...(current as Record<string, unknown>) } : {};
  if (flags.dashboard === true) dashboard.frontends = true;
  if (flags.adminDashboard === false) dashboard.admin = false;
  if (Object.keys(dashboard).length > 0) merged.dashboard = dashboard;
  if (flags.frontDoor === false) merged.frontDoor = false;
}
