import { sizeLabel } from '../scenarios/cases.js';
import { cell, int, latencyText, percent, ratioText, rssText, throughputText } from './format.js';

/**
 * @typedef {object} RunReport
 * @property {ReturnType<import('../sys/machine.js').machineInfo>} machine
 * @property {import('../run-case.js').SuiteOptions} options
 * @property {string[]} scenarios
 * @property {number} durationSeconds
 * @property {import('../run-case.js').CaseResult[]} results
 * @property {import('./targets.js').TargetRow[]} targets
 * @property {ReturnType<typeof import('../sys/warnings.js').warningsSeen>} warnings - raised in the
 *   load generator process (where our client transports and the SDK Client run)
 */

/**
 * The Markdown report of a run: machine, method, targets and their status, the chart, one table per
 * group, and what could not run.
 * @param {RunReport} run
 * @param {Map<string, { ratio: number, baselineId: string }>} ratios
 * @param {string} svgName - file name of the chart next to the report
 */
export function markdownReport(run, ratios, svgName) {
  const m = run.machine;
  const o = run.options;
  const lines = [
    '# mcp-switchboard benchmark report',
    '',
    `Run ${m.date} on ${m.cpuModel} × ${m.cores} cores, ${m.memoryGB} GB, ${m.os}, Node ${m.node}; commit ${m.commit}${m.workingTreeDirty ? ' (with uncommitted changes)' : ''}; load average at start ${m.loadAverageAtStart.join(' / ')}. Scenarios: ${run.scenarios.join(', ')}. Wall time ${Math.round(run.durationSeconds)} s; 1-minute load average during the cases ${loadRange(run.results)} (2 cores: above 2, other work competed for the CPU).`,
    '',
    `Method: every case starts its own processes, completes the MCP handshake, warms up (at least ${o.warmupMs} ms and until 3,000 requests or 16 MiB succeeded, at most 4 s: the peers' express/SDK stacks need thousands of requests before their JIT settles), then measures ${o.runs} consecutive windows of ${o.windowMs} ms (half that in the payload sweep, twice that for 8 MiB; windows begin and end on a response's arrival, so a window's rate is exact even with a few responses in it; up to 2 more windows when the median window is below 70 % of the best, a sign of outside load); the SDK transport pairs are also measured in alternating bursts, six rounds, and the median of the rounds' ratios judges them. ` +
      `msg/s is the median window with the slowest and fastest in brackets; latency percentiles (p50 / p95 / p99, ms) come from an HDR histogram of every timed request; ` +
      `${o.rate ? `load is a fixed rate of ${o.rate} req/s (latency from each request's scheduled time)` : 'load is a fixed number of requests in flight (C)'}. ` +
      'MB/s counts the echoed payload in one direction (the request carries as many bytes the other way). ' +
      'RSS is the peak resident memory of each started process tree (sampled every 200 ms) and of the load generator ("gen"), which hosts in-process subjects. ' +
      'The backend is the raw NDJSON echo server (no SDK) unless a row says otherwise. All servers bind 127.0.0.1. The machine is shared, so only ratios within this run are meaningful.',
    '',
    '## Targets (from BENCHMARKING.md)',
    '',
    '| Target | Measured in this run | Status |',
    '|---|---|---|',
    ...run.targets.map((t) => `| ${cell(t.target)} | ${cell(t.measured)} | **${t.status}** |`),
    '',
    `![Throughput at C=64](${svgName})`,
    '',
  ];

  const measured = run.results.filter((r) => r.status !== 'unavailable');
  const groups = [...new Set(measured.map((r) => r.group))];
  for (const group of groups) {
    const rows = measured.filter((r) => r.group === group);
    lines.push(`## ${group}`, '');
    if (rows.some((r) => r.measured)) {
      lines.push('| Case | What runs | Result | Peak RSS MB |', '|---|---|---|---|');
      for (const r of rows) {
        // A group may mix measured cases with msg/s cases (the gateway's CPU cost beside its throughput).
        const result =
          r.status !== 'ok'
            ? `failed: ${r.reason}`
            : r.measured !== undefined
              ? JSON.stringify(r.measured)
              : r.msgPerSec
                ? `${Math.round(r.msgPerSec.median)} msg/s (C=${r.concurrency})`
                : '–';
        lines.push(`| \`${r.id}\` | ${cell(r.label)} | ${cell(result)} | ${cell(rssText(r))} |`);
      }
    } else {
      lines.push(
        '| Case | What runs | C | Payload | msg/s median (min–max) | p50 / p95 / p99 ms | MB/s | vs baseline | Peak RSS MB |',
        '|---|---|---|---|---|---|---|---|---|',
      );
      for (const r of rows) {
        const ratio = ratios.get(r.id);
        const vs = ratio
          ? `${ratio.ratio < 2 ? percent(ratio.ratio) : ratioText(ratio.ratio)} of \`${ratio.baselineId}\``
          : '';
        const result = r.status === 'ok' ? throughputText(r) : `**failed**: ${firstLine(r.reason)}`;
        const errors = r.errors ? ` (${int(r.errors)} errors: ${firstLine(r.firstError)})` : '';
        lines.push(
          `| \`${r.id}\` | ${cell(r.label)} | ${r.concurrency}${r.connections && r.connections !== r.concurrency ? ` (${r.connections} conn)` : ''} | ${sizeLabel(r.payloadBytes)} | ${cell(result + errors)} | ${latencyText(r)} | ${r.mbPerSec ?? '–'} | ${vs} | ${cell(rssText(r))} |`,
        );
      }
    }
    lines.push('');
  }

  const unavailable = run.results.filter((r) => r.status === 'unavailable');
  if (unavailable.length > 0) {
    lines.push(
      '## Not available yet',
      '',
      'These cases are defined but their subject is not built; no number is reported for them.',
      '',
    );
    /** @type {Map<string, string[]>} */
    const byReason = new Map();
    for (const r of unavailable)
      byReason.set(r.reason ?? '', [...(byReason.get(r.reason ?? '') ?? []), r.id]);
    for (const [reason, ids] of byReason)
      lines.push(`- ${reason}: ${ids.map((id) => `\`${id}\``).join(', ')}`);
    lines.push('');
  }
  const failed = run.results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    lines.push('## Failures in full', '');
    for (const r of failed) lines.push(`- \`${r.id}\`: ${cell(r.reason ?? '')}`);
    lines.push('');
  }
  if (run.warnings.length > 0) {
    lines.push(
      '## Warnings in the load generator process',
      '',
      'Raised while the case ran in the generator process, which hosts the in-process subjects (our client transports, the SDK Client).',
      '',
      '| Case | Warning (first) | Times |',
      '|---|---|---|',
      ...run.warnings.map((w) => `| \`${w.caseId}\` | ${cell(w.warning)} | ${w.count} |`),
      '',
    );
  }
  lines.push('Reproduce: `npm install && npm run build && cd bench && npm install && npm run bench`.', '');
  return lines.join('\n');
}

/**
 * "1.2–7.9": the range of the load averages recorded at the start of the cases that ran.
 * @param {import('../run-case.js').CaseResult[]} results
 */
function loadRange(results) {
  const loads = results
    .filter((r) => r.status !== 'unavailable' && r.loadAverage !== undefined)
    .map((r) => r.loadAverage ?? 0);
  return loads.length === 0 ? 'n/a' : `${Math.min(...loads)}–${Math.max(...loads)}`;
}

/** @param {string | undefined} text */
function firstLine(text) {
  return (text ?? '').split('\n')[0] ?? '';
}
