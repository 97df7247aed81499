import { sizeLabel } from '../scenarios/cases.js';
import { int, latencyText, percent, rate } from './format.js';

/**
 * One line for a finished case, printed as the run goes.
 * @param {import('../run-case.js').CaseResult} r
 */
export function progressLine(r) {
  const head = `${r.id.padEnd(52)}`;
  if (r.status === 'unavailable') return `${head} ${r.reason}`;
  if (r.status === 'failed') return `${head} FAILED: ${(r.reason ?? '').split('\n')[0]}`;
  if (r.measured) return `${head} ${JSON.stringify(r.measured)}  rss ${JSON.stringify(r.rss?.treesMB)}`;
  const t = r.msgPerSec;
  const errors = r.errors ? `  ${r.errors} errors (${r.firstError})` : '';
  return `${head} ${rate(t?.median ?? 0).padStart(9)} msg/s [${rate(t?.min ?? 0)}–${rate(t?.max ?? 0)}]  p50/p95/p99 ${latencyText(r)} ms${errors}`;
}

/**
 * The summary table printed at the end: every case that produced a number.
 * @param {import('../run-case.js').CaseResult[]} results
 * @param {Map<string, { ratio: number, baselineId: string }>} ratios
 */
export function consoleTable(results, ratios) {
  const rows = results
    .filter((r) => r.status === 'ok' && r.msgPerSec)
    .map((r) => ({
      case: r.id,
      C: r.concurrency,
      payload: sizeLabel(r.payloadBytes),
      'msg/s': rate(r.msgPerSec?.median ?? 0),
      'min–max': `${rate(r.msgPerSec?.min ?? 0)}–${rate(r.msgPerSec?.max ?? 0)}`,
      'p50 ms': r.latencyMs?.p50 ?? '',
      'p99 ms': r.latencyMs?.p99 ?? '',
      'MB/s': r.mbPerSec ?? '',
      'vs baseline': ratios.has(r.id) ? percent(ratios.get(r.id)?.ratio ?? 0) : '',
      errors: r.errors || '',
    }));
  const columns = /** @type {(keyof (typeof rows)[number])[]} */ (Object.keys(rows[0] ?? {}));
  const widths = columns.map((c) => Math.max(String(c).length, ...rows.map((r) => String(r[c]).length)));
  /** @param {string[]} cells */
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(columns.map(String)), ...rows.map((r) => line(columns.map((c) => String(r[c]))))].join('\n');
}
