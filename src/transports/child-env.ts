/** Variables a stdio child inherits by default (the same minimal set as the official SDK). */
export const DEFAULT_INHERITED_ENV_VARS: readonly string[] =
  process.platform === 'win32'
    ? [
        'APPDATA',
        'HOMEDRIVE',
        'HOMEPATH',
        'LOCALAPPDATA',
        'PATH',
        'PROCESSOR_ARCHITECTURE',
        'SYSTEMDRIVE',
        'SYSTEMROOT',
        'TEMP',
        'USERNAME',
        'USERPROFILE',
        'PROGRAMFILES',
      ]
    : ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];

/**
 * The environment of a stdio child: by default only {@link DEFAULT_INHERITED_ENV_VARS} from this process
 * (so secrets in our environment do not leak into servers), plus `explicit` on top.
 *
 * @param explicit - variables to set (win over inherited ones)
 * @param inheritAll - pass this process's whole environment instead of the minimal set (default false)
 * @param source - the environment to inherit from (default `process.env`)
 */
export function childEnvironment(
  explicit: Record<string, string> = {},
  inheritAll = false,
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  const names = inheritAll ? Object.keys(source) : DEFAULT_INHERITED_ENV_VARS;
  for (const name of names) {
    const value = source[name];
    // Skip exported shell functions ("() { …"), a known injection vector.
    if (value === undefined || value.startsWith('()')) continue;
    env[name] = value;
  }
  return { ...env, ...explicit };
}
