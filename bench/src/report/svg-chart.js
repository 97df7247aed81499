import { int, percent, ratioText } from './format.js';

/** Bar colour per system. */
const COLORS = /** @type {Record<string, string>} */ ({
  raw: '#8c8c8c',
  switchboard: '#1f6fd1',
  sdk: '#2e9e44',
  supergateway: '#e8771a',
  'mcp-proxy': '#8a55c4',
});

const WIDTH = 1000;
const LABEL_W = 480;
const BAR_W = 330;
const ROW_H = 20;
const TOP = 58;

/**
 * A horizontal bar chart (log scale) of the C=64, 16 B throughput cases: the raw limits, our
 * transports, the SDK end-to-end runs and the proxies, each bar labelled with msg/s and its ratio to
 * its baseline. Plain SVG, no dependency.
 * @param {import('../run-case.js').CaseResult[]} results
 * @param {Map<string, { ratio: number, baselineId: string }>} ratios
 * @param {string} subtitle - machine and date
 * @returns {string}
 */
export function svgChart(results, ratios, subtitle) {
  const rows = results.filter(
    (r) =>
      r.msgPerSec &&
      r.concurrency === 64 &&
      r.payloadBytes === 16 &&
      !['payload', 'concurrency'].includes(r.scenario),
  );
  // Group the rows by kind (raw limits first), keeping run order within a group.
  const groupOrder = [...new Set(rows.map((r) => r.group))];
  rows.sort((a, b) => groupOrder.indexOf(a.group) - groupOrder.indexOf(b.group));
  const unavailable = results.filter((r) => r.status === 'unavailable').length;
  const values = rows.map((r) => r.msgPerSec?.median ?? 1);
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values, 1000))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 10)));
  /** @param {number} v */
  const x = (v) =>
    LABEL_W + (BAR_W * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));

  /** @type {string[]} */
  const out = [];
  let y = TOP;
  let group = '';
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      y += 8;
      out.push(text(8, y + 12, group, 'font-weight="bold"'));
      y += ROW_H;
    }
    const v = r.msgPerSec?.median ?? 0;
    const ratio = ratios.get(r.id);
    const note = ratio
      ? r.system === 'switchboard' && r.scenario.startsWith('sdk')
        ? `${ratioText(ratio.ratio)} SDK transport`
        : `${percent(ratio.ratio)} of raw`
      : '';
    out.push(text(LABEL_W - 8, y + 13, r.label, 'text-anchor="end"'));
    out.push(
      `<rect x="${LABEL_W}" y="${y + 3}" width="${(x(v) - LABEL_W).toFixed(1)}" height="${ROW_H - 6}" fill="${COLORS[r.system] ?? '#444'}"/>`,
    );
    out.push(text(x(v) + 5, y + 13, `${int(v)} msg/s${note ? ` · ${note}` : ''}`));
    y += ROW_H;
  }
  const axisY = y + 6;
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${x(d)}" y1="${TOP}" x2="${x(d)}" y2="${axisY}" stroke="#ddd"/>`);
    out.push(text(x(d), axisY + 14, int(d), 'text-anchor="middle" fill="#666"'));
  }
  const legend = Object.entries(COLORS).map(
    ([name, color], i) =>
      `<rect x="${8 + i * 130}" y="34" width="12" height="12" fill="${color}"/>${text(24 + i * 130, 45, name)}`,
  );
  const footer =
    unavailable > 0
      ? `${unavailable} cases not available yet (their subject is not built); see the report.`
      : '';
  const height = axisY + 58;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(
      8,
      18,
      'Throughput at 64 requests in flight, 16 B payload (msg/s, log scale)',
      'font-size="14" font-weight="bold"',
    ),
    text(WIDTH - 8, 18, subtitle, 'text-anchor="end" fill="#666"'),
    ...legend,
    ...out,
    text(
      8,
      axisY + 32,
      "Median of the timed windows. Ratios: to the raw limit of the same transport, or to the SDK's own transport; same run.",
      'fill="#666"',
    ),
    text(8, axisY + 48, footer, 'fill="#666"'),
    '</svg>',
    '',
  ].join('\n');
}

/**
 * @param {number} x
 * @param {number} y
 * @param {string} content
 * @param {string} [attributes]
 */
function text(x, y, content, attributes = '') {
  const escaped = content.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return `<text x="${typeof x === 'number' ? x.toFixed(1) : x}" y="${y}" ${attributes}>${escaped}</text>`;
}
