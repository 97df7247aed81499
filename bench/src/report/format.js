/** Number and label formatting shared by the console table, the Markdown report and the chart. */

/** @param {number} n */
export function int(n) {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A rate in msg/s: whole numbers, two decimals below 100 (an 8 MiB echo completes a few times a second).
 * @param {number} n
 */
export function rate(n) {
  return n >= 100 ? int(n) : n.toFixed(2);
}

/** @param {number} n - a ratio, 1 = equal */
export function ratioText(n) {
  return n >= 10 ? `${n.toFixed(0)}×` : `${n.toFixed(2)}×`;
}

/** @param {number} n - a fraction shown as a percentage */
export function percent(n) {
  return `${Math.round(n * 100)} %`;
}

/** @param {number | undefined} ms */
export function ms(ms) {
  if (ms === undefined) return '–';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/**
 * @param {import('../run-case.js').CaseResult} r
 * @returns {string} "241,000 (230,100–250,200)"
 */
export function throughputText(r) {
  if (!r.msgPerSec) return '–';
  const { median, min, max } = r.msgPerSec;
  return `${rate(median)} (${rate(min)}–${rate(max)})`;
}

/** @param {import('../run-case.js').CaseResult} r */
export function latencyText(r) {
  const l = r.latencyMs;
  return l ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}` : '–';
}

/**
 * The peak RSS of the processes the case started (their trees summed), and of the load generator,
 * which hosts in-process subjects (our client transport, the SDK Client).
 * @param {import('../run-case.js').CaseResult} r
 */
export function rssText(r) {
  if (!r.rss) return '–';
  const trees = Object.entries(r.rss.treesMB).map(([label, mb]) => `${label} ${mb.toFixed(0)}`);
  return [...trees, `gen ${r.rss.generatorMB.toFixed(0)}`].join(', ');
}

/** @param {string} text - escapes a table cell */
export function cell(text) {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
