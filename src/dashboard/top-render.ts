import pc from 'picocolors';
import type { LiveSnapshot } from './live-types.js';

/** Options of {@link renderTop}. */
export interface TopRenderOptions {
  /** Terminal columns (default 120). */
  width?: number | undefined;
  /** Terminal rows (default 40): sections are cut to fit. */
  height?: number | undefined;
  /** Where the figures come from, shown in the title line. */
  source?: string | undefined;
  /** Colour (default: picocolors' own detection). */
  color?: boolean | undefined;
}

const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : v < 10 ? v.toFixed(1) : v.toFixed(0);
const ago = (t: number): string => {
  const s = Math.max(0, Math.round(t / 1000));
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
};
const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s);
const pad = (s: string, n: number): string => cut(s, n).padEnd(n);
const padLeft = (s: string, n: number): string => cut(s, n).padStart(n);

/** The last non-null value of a series. */
const lastOf = (values: readonly (number | null)[]): number | null => {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i] as number;
  return null;
};

/**
 * One screen of `switchboard top`: totals, sessions, backends (state, restarts, last exit), operations
 * (calls, error rate, latest p50/p95/p99), requests in flight and the slowest recent calls — plain text
 * with ANSI colour, cut to the terminal's size.
 */
export function renderTop(s: LiveSnapshot, options: TopRenderOptions = {}): string {
  const width = Math.max(60, options.width ?? 120);
  const height = Math.max(20, options.height ?? 40);
  const c = pc.createColors(options.color ?? pc.isColorSupported);
  const lines: string[] = [];
  const title = `switchboard top${options.source ? ` — ${options.source}` : ''}`;
  lines.push(
    c.bold(cut(`${title}   ${new Date(s.time).toISOString().slice(11, 19)} UTC   (q to quit)`, width)),
  );
  const t = s.totals;
  lines.push(
    `sessions ${c.bold(String(t.sessions))}   in flight ${c.bold(String(t.inflight))}   requests ${c.bold(String(t.requests))}   errors ${(t.errors > 0 ? c.red : c.bold)(String(t.errors))}   calls/s ${c.bold(t.rate.toFixed(1))}`,
  );
  const budget = Math.max(2, Math.floor((height - 14) / 4));
  const section = (name: string, header: string, rows: string[]): void => {
    lines.push('', c.cyan(c.bold(name)), c.dim(cut(header, width)));
    if (rows.length === 0) lines.push(c.dim('  (none)'));
    for (const r of rows.slice(0, budget)) lines.push(r);
    if (rows.length > budget) lines.push(c.dim(`  … ${rows.length - budget} more`));
  };

  section(
    'SESSIONS',
    `  ${pad('session', 14)} ${pad('client', 24)} ${pad('era', 16)} ${pad('frontend', 10)} ${padLeft('age', 7)} ${padLeft('infl', 5)} ${padLeft('req', 6)} ${padLeft('err', 5)}`,
    s.sessions
      .filter((x) => x.closedAt === undefined)
      .map(
        (x) =>
          `  ${pad(x.id, 14)} ${pad(x.clientName ? `${x.clientName} ${x.clientVersion ?? ''}` : '', 24)} ${pad(x.era ? `${x.era} ${x.protocolVersion ?? ''}` : '', 16)} ${pad(x.frontend, 10)} ${padLeft(ago(s.time - x.openedAt), 7)} ${padLeft(String(x.inflight), 5)} ${padLeft(String(x.requests), 6)} ${(x.errors > 0 ? c.red : (v: string) => v)(padLeft(String(x.errors), 5))}`,
      ),
  );
  section(
    'BACKENDS',
    `  ${pad('server', 14)} ${pad('instance', 14)} ${pad('state', 11)} ${padLeft('restarts', 8)}  last exit`,
    s.backends
      .filter((b) => b.state !== 'closed')
      .map((b) => {
        const state = b.state === 'up' ? c.green : b.state === 'starting' ? c.yellow : c.red;
        const exit = b.lastExit
          ? `${ago(s.time - b.lastExit.time)} ago: ${b.lastExit.exitCode != null ? `code ${b.lastExit.exitCode}` : (b.lastExit.signal ?? '')}`
          : '';
        return `  ${pad(b.server, 14)} ${pad(b.instance, 14)} ${state(pad(b.state, 11))} ${padLeft(String(b.restarts), 8)}  ${cut(exit, Math.max(10, width - 56))}`;
      }),
  );
  section(
    'OPERATIONS (last minutes)',
    `  ${pad('server', 14)} ${pad('call', 34)} ${padLeft('calls', 7)} ${padLeft('err%', 6)} ${padLeft('p50', 7)} ${padLeft('p95', 7)} ${padLeft('p99', 7)}  ms`,
    s.series.map((x) => {
      const errPct = x.calls === 0 ? 0 : (100 * x.errors) / x.calls;
      const call = x.target === undefined ? x.method : `${x.method} ${x.target}`;
      return `  ${pad(x.server, 14)} ${pad(call, 34)} ${padLeft(String(x.calls), 7)} ${(errPct > 0 ? c.red : (v: string) => v)(padLeft(errPct.toFixed(0), 6))} ${padLeft(ms(lastOf(x.p50)), 7)} ${padLeft(ms(lastOf(x.p95)), 7)} ${padLeft(ms(lastOf(x.p99)), 7)}`;
    }),
  );
  section(
    'IN FLIGHT',
    `  ${pad('session', 14)} ${pad('call', 40)} ${padLeft('age', 7)}  progress`,
    s.inflight.map(
      (r) =>
        `  ${pad(r.session, 14)} ${pad(r.target === undefined ? r.method : `${r.method} ${r.target}`, 40)} ${padLeft(ago(s.time - r.startedAt), 7)}  ${r.progress ? `${r.progress.progress}${r.progress.total !== undefined ? `/${r.progress.total}` : ''}` : ''}`,
    ),
  );
  section(
    'SLOWEST RECENT CALLS',
    `  ${pad('call', 40)} ${padLeft('ms', 8)}  outcome`,
    s.slowest.map(
      (x) =>
        `  ${pad(x.target === undefined ? x.method : `${x.method} ${x.target}`, 40)} ${padLeft(x.durationMs.toFixed(0), 8)}  ${x.error ? c.red(cut(x.error, Math.max(10, width - 54))) : 'ok'}`,
    ),
  );
  return lines.slice(0, height).join('\n');
}
