import { RAW_HTTP_CEILING } from '../scenarios/raw-http.js';
import { int, ms, percent, ratioText } from './format.js';
import { bestOf } from './ratios.js';

/**
 * @typedef {'met' | 'missed' | 'not measurable yet' | 'not run'} TargetStatus
 * @typedef {{ target: string, measured: string, status: TargetStatus }} TargetRow
 * @typedef {import('../run-case.js').CaseResult} CaseResult
 */

/**
 * Checks each target of BENCHMARKING.md against the results of this run. A target whose subject is not
 * built yet is "not measurable yet"; one whose scenario was not selected is "not run".
 * @param {CaseResult[]} results
 * @returns {TargetRow[]}
 */
export function evaluateTargets(results) {
  const byId = new Map(results.map((r) => [r.id, r]));
  return [
    ...proxyThroughput(byId),
    proxyAddedLatency(byId),
    ...rawTransports(byId),
    ...sdkClientTransports(byId),
    ...largePayloads(byId),
    idleSessions(byId),
    gatewayCost(byId),
    ...eraBridge(byId),
  ];
}

/**
 * Era bridge (a 2025 client through `serve` to a 2026-07-28-only backend) vs the same client relayed to
 * a 2025 backend, same run: at most 15 % fewer msg/s at C=64, per frontend; C=1 latency reported.
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow[]}
 */
function eraBridge(byId) {
  return /** @type {const} */ (['tcp', 'http']).map((frontend) => {
    const target = `Era bridge (2025 client → 2026-07-28 backend) vs same-era relay, ${frontend === 'tcp' ? 'TCP' : 'Streamable HTTP'} frontend, C=64: ≤ 15 % fewer msg/s`;
    const bridged = byId.get(`era-bridge/switchboard-2026-stdio-to-${frontend}/c64`);
    const relay = byId.get(`era-bridge/switchboard-2025-stdio-to-${frontend}/c64`);
    if (missingStatus(bridged) || !bridged?.msgPerSec) return noNumber(bridged, target);
    if (missingStatus(relay) || !relay?.msgPerSec) return noNumber(relay, target);
    const ratio = bridged.msgPerSec.median / relay.msgPerSec.median;
    const b1 = byId.get(`era-bridge/switchboard-2026-stdio-to-${frontend}/c1`)?.latencyMs;
    const r1 = byId.get(`era-bridge/switchboard-2025-stdio-to-${frontend}/c1`)?.latencyMs;
    const latency = b1 && r1 ? `; C=1 p50 ${ms(b1.p50)} ms vs ${ms(r1.p50)} ms` : '';
    const windows = `${int(bridged.msgPerSec.median)} vs ${int(relay.msgPerSec.median)} msg/s: ${percent(1 - ratio)} fewer`;
    // Alternating bursts of the two meet the same load, so they judge the target; the cases' own
    // windows, measured seconds apart, are reported beside them.
    const paired = pairedResult(byId.get(`era-bridge/bridge-vs-relay-${frontend}-paired/c64`));
    if (paired) {
      return {
        target,
        measured: `${percent(1 - paired.ratio)} fewer, ${roundsText(paired)}${serveCpuText(paired)}); own windows: ${windows}${latency}`,
        status: verdict(paired.ratio >= 0.85),
      };
    }
    return {
      target,
      measured: `${windows}${latency}${noiseNote(bridged.msgPerSec, relay.msgPerSec, 0.85)}`,
      status: verdict(ratio >= 0.85),
    };
  });
}

/**
 * The CPU each side's `serve` and its backend spent per request over the timed bursts, when measured:
 * `; CPU per request: serve X vs Y µs (+Z %), backend A vs B µs` (the bridge first).
 * @param {Paired} paired
 */
function serveCpuText(paired) {
  const { ours, theirs } = paired;
  if (ours.serverCpuMicrosPerRequest === undefined || theirs.serverCpuMicrosPerRequest === undefined)
    return '';
  const more = ours.serverCpuMicrosPerRequest / theirs.serverCpuMicrosPerRequest - 1;
  return `; CPU per request: serve ${ours.serverCpuMicrosPerRequest} vs ${theirs.serverCpuMicrosPerRequest} µs (${more >= 0 ? '+' : '−'}${percent(Math.abs(more))}), backend ${ours.childrenCpuMicrosPerRequest} vs ${theirs.childrenCpuMicrosPerRequest} µs`;
}

/**
 * Why a case has no number: absent from the run, not built, or failed.
 * @param {CaseResult | undefined} r
 * @returns {TargetRow['status'] | undefined} undefined when it has a number
 */
function missingStatus(r) {
  if (!r) return 'not run';
  if (r.status === 'unavailable') return 'not measurable yet';
  if (r.status === 'failed') return 'missed';
  return undefined;
}

/**
 * @param {CaseResult | undefined} r
 * @param {string} target
 * @returns {TargetRow}
 */
function noNumber(r, target) {
  const status = /** @type {TargetStatus} */ (missingStatus(r));
  const measured = !r
    ? 'scenario not selected'
    : r.status === 'failed'
      ? `failed: ${firstLine(r.reason)}`
      : firstLine(r.reason);
  return { target, measured, status };
}

/** @param {string | undefined} text */
function firstLine(text) {
  return (text ?? '').split('\n')[0] ?? '';
}

/**
 * A warning when the verdict depends on noise: the ratio of the best windows of the two cases falls
 * on the other side of the threshold than the ratio of their medians.
 * @param {{ median: number, max: number }} ours
 * @param {{ median: number, max: number }} base
 * @param {number} threshold - the ratio the target asks for
 */
function noiseNote(ours, base, threshold) {
  const best = ours.max / base.max;
  if (ours.median / base.median >= threshold === best >= threshold) return '';
  return ` — noisy: the best windows give ${ratioText(best)}, on the other side of ${ratioText(threshold)}; rerun on a quiet machine`;
}

/**
 * @param {boolean} ok
 * @returns {TargetStatus}
 */
function verdict(ok) {
  return ok ? 'met' : 'missed';
}

/**
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow[]}
 */
function proxyThroughput(byId) {
  const target =
    'stdio → Streamable HTTP proxy, lean client, raw backend, C=64: ≥ 15,000 msg/s, ≥ 9× the better of supergateway and mcp-proxy, ≥ 65 % of raw node:http, p50 ≤ 5 ms';
  const ours = byId.get('proxy-ours/switchboard-stdio-to-http/c64');
  // The better peer of this run is the one to beat.
  const peers = [
    { name: 'mcp-proxy', result: byId.get('proxy-peers/mcp-proxy-stdio-to-http/c64') },
    { name: 'supergateway', result: byId.get('proxy-peers/supergateway-stdio-to-http/c64') },
  ].filter((p) => p.result?.msgPerSec);
  const best = peers.sort(
    (a, b) => (b.result?.msgPerSec?.median ?? 0) - (a.result?.msgPerSec?.median ?? 0),
  )[0];
  const mcpProxy = best?.result;
  const peerName = best?.name ?? 'the peers';
  const ceiling = bestOf(byId, RAW_HTTP_CEILING);
  const context = [
    mcpProxy?.msgPerSec
      ? `better peer ${peerName} ${int(mcpProxy.msgPerSec.median)} msg/s (9× = ${int(9 * mcpProxy.msgPerSec.median)})`
      : '',
    ceiling?.msgPerSec
      ? `raw node:http ${int(ceiling.msgPerSec.median)} msg/s (65 % = ${int(0.65 * ceiling.msgPerSec.median)})`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (missingStatus(ours) || !ours?.msgPerSec) {
    const row = noNumber(ours, target);
    return [{ ...row, measured: `${row.measured}${context ? `. Same run: ${context}` : ''}` }];
  }
  const v = ours.msgPerSec.median;
  const p50 = ours.latencyMs?.p50 ?? Infinity;
  const checks = [
    v >= 15_000,
    mcpProxy?.msgPerSec ? v >= 9 * mcpProxy.msgPerSec.median : false,
    ceiling?.msgPerSec ? v >= 0.65 * ceiling.msgPerSec.median : false,
    p50 <= 5,
  ];
  const relay = byId.get('raw-http/relay-64conn/c64');
  const measured = [
    `${int(v)} msg/s, p50 ${ms(p50)} ms`,
    mcpProxy?.msgPerSec
      ? `${ratioText(v / mcpProxy.msgPerSec.median)} ${peerName} (the better peer)`
      : 'the peers not measured',
    ceiling?.msgPerSec
      ? `${percent(v / ceiling.msgPerSec.median)} of raw node:http`
      : 'raw node:http not measured',
    relay?.msgPerSec && ceiling?.msgPerSec
      ? `the minimal HTTP → stdio relay (routes by id, checks nothing) ${int(relay.msgPerSec.median)} msg/s, ${percent(relay.msgPerSec.median / ceiling.msgPerSec.median)} of raw, so switchboard is ${percent(v / relay.msgPerSec.median)} of it`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  return [{ target, measured, status: verdict(checks.every(Boolean)) }];
}

/**
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow}
 */
function proxyAddedLatency(byId) {
  const target = 'Added latency of the proxy at C=1 over talking to the backend directly: ≤ 0.1 ms (p50)';
  const ours = byId.get('proxy-ours/switchboard-stdio-to-http/c1');
  const direct = byId.get('raw-pipe/pipe/c1');
  /** @param {string} id @param {string} name */
  const peer = (id, name) => {
    const r = byId.get(id);
    return r?.latencyMs && direct?.latencyMs
      ? `${name} +${ms(r.latencyMs.p50 - direct.latencyMs.p50)} ms`
      : '';
  };
  const context = [
    peer('raw-http/relay-1conn/c1', 'the minimal HTTP → stdio relay'),
    peer('proxy-peers/supergateway-stdio-to-http/c1', 'supergateway'),
    peer('proxy-peers/mcp-proxy-stdio-to-http/c1', 'mcp-proxy'),
  ]
    .filter(Boolean)
    .join(', ');
  if (missingStatus(ours) || !ours?.latencyMs) {
    const row = noNumber(ours, target);
    return { ...row, measured: `${row.measured}${context ? `. Same run: ${context}` : ''}` };
  }
  if (!direct?.latencyMs)
    return { target, measured: 'the direct (raw pipe, C=1) case was not measured', status: 'not run' };
  const added = ours.latencyMs.p50 - direct.latencyMs.p50;
  return {
    target,
    measured: `+${ms(added)} ms (proxy p50 ${ms(ours.latencyMs.p50)} ms, direct ${ms(direct.latencyMs.p50)} ms)${context ? `; same run: ${context}` : ''}`,
    status: verdict(added <= 0.1),
  };
}

/**
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow[]}
 */
function rawTransports(byId) {
  const pairs = /** @type {const} */ ([
    ['stdio client transport', 'stdio/ours-client/c64', 'raw-pipe/pipe/c64'],
    ['stdio server transport', 'stdio/ours-server/c64', 'raw-pipe/pipe/c64'],
    ['TCP client transport', 'tcp/ours-client/c64', 'raw-socket/tcp/c64'],
    ['TCP listener', 'tcp/ours-server/c64', 'raw-socket/tcp/c64'],
    ['Unix client transport', 'unix/ours-client/c64', 'raw-socket/unix/c64'],
    ['Unix listener', 'unix/ours-server/c64', 'raw-socket/unix/c64'],
  ]);
  return pairs.map(([what, id, baseId]) => {
    const target = `Raw transports with a lean peer, C=64 — ${what}: ≥ 60 % of the raw limit`;
    const r = byId.get(id);
    const base = byId.get(baseId);
    if (missingStatus(r) || !r?.msgPerSec) return noNumber(r, target);
    if (!base?.msgPerSec)
      return { target, measured: `the raw limit (${baseId}) was not measured`, status: 'not run' };
    const ratio = r.msgPerSec.median / base.msgPerSec.median;
    // Our transport cannot beat the raw limit by much; if it does, one of the two ran in a busy moment.
    const suspicious =
      ratio > 1.2 ? ' — above the raw limit: the machine was busy during one of the two; rerun' : '';
    return {
      target,
      measured: `${percent(ratio)} (${int(r.msgPerSec.median)} vs ${int(base.msgPerSec.median)} msg/s)${suspicious}${noiseNote(r.msgPerSec, base.msgPerSec, 0.6)}`,
      status: verdict(ratio >= 0.6),
    };
  });
}

/**
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow[]}
 */
function sdkClientTransports(byId) {
  const rows = /** @type {const} */ ([
    [
      'SDK v1, stdio, raw echo, C=1',
      'sdk-stdio/v1-raw-echo-ours/c1',
      'sdk-stdio/v1-raw-echo-sdk-transport/c1',
    ],
    [
      'SDK v1, stdio, raw echo, C=64',
      'sdk-stdio/v1-raw-echo-ours/c64',
      'sdk-stdio/v1-raw-echo-sdk-transport/c64',
    ],
    [
      'SDK v1, stdio, SDK McpServer, C=64',
      'sdk-stdio/v1-sdk-server-ours/c64',
      'sdk-stdio/v1-sdk-server-sdk-transport/c64',
    ],
    [
      'SDK v2, stdio, raw echo, C=1',
      'sdk-stdio/v2-raw-echo-ours/c1',
      'sdk-stdio/v2-raw-echo-sdk-transport/c1',
    ],
    [
      'SDK v2, stdio, raw echo, C=64',
      'sdk-stdio/v2-raw-echo-ours/c64',
      'sdk-stdio/v2-raw-echo-sdk-transport/c64',
    ],
    [
      'SDK v2, stdio, SDK McpServer, C=64',
      'sdk-stdio/v2-sdk-server-ours/c64',
      'sdk-stdio/v2-sdk-server-sdk-transport/c64',
    ],
    [
      'SDK v1, Streamable HTTP, raw echo, C=64',
      'sdk-http/v1-raw-http-ours/c64',
      'sdk-http/v1-raw-http-sdk-transport/c64',
    ],
  ]);
  return rows.map(([what, id, sdkId]) => {
    const target = `Our client transport with the SDK Client — ${what}: ≥ 1.0× the SDK's own transport`;
    const r = byId.get(id);
    const sdk = byId.get(sdkId);
    if (missingStatus(r) || !r?.msgPerSec) return noNumber(r, target);
    if (!sdk?.msgPerSec)
      return { target, measured: 'the SDK transport case was not measured', status: 'not run' };
    const ratio = r.msgPerSec.median / sdk.msgPerSec.median;
    const spread = `ours ${int(r.msgPerSec.min)}–${int(r.msgPerSec.max)}, SDK ${int(sdk.msgPerSec.min)}–${int(sdk.msgPerSec.max)}`;
    const windows = `${ratioText(ratio)} (${int(r.msgPerSec.median)} vs ${int(sdk.msgPerSec.median)} msg/s; ${spread})`;
    // Alternating bursts of the two transports meet the same load, so they judge the target; the
    // cases' own windows, measured seconds apart, are reported beside them.
    const paired = pairedResult(byId.get(id.replace('-ours/', '-paired/')));
    if (paired) {
      return {
        target,
        measured: `${ratioText(paired.ratio)}, ${roundsText(paired)}; CPU of the client process per request ${paired.ours.cpuMicrosPerRequest} vs ${paired.theirs.cpuMicrosPerRequest} µs); own windows: ${windows}`,
        status: verdict(paired.ratio >= 1.0),
      };
    }
    return {
      target,
      measured: `${windows}${noiseNote(r.msgPerSec, sdk.msgPerSec, 1)}`,
      status: verdict(ratio >= 1.0),
    };
  });
}

/**
 * @typedef {{ msgPerSec: number, cpuMicrosPerRequest: number, serverCpuMicrosPerRequest?: number,
 *   childrenCpuMicrosPerRequest?: number }} PairedSide
 * @typedef {{ ratio: number, ratios: number[], ours: PairedSide, theirs: PairedSide }} Paired
 */

/**
 * How a paired case was measured, for a report line (its parenthesis left open for more):
 * `median of N alternating rounds (X vs Y msg/s; round ratios a–b`.
 * @param {Paired} paired
 */
function roundsText(paired) {
  const ratios = paired.ratios;
  return `median of ${ratios.length} alternating rounds (${int(paired.ours.msgPerSec)} vs ${int(paired.theirs.msgPerSec)} msg/s; round ratios ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
}

/**
 * The measurement of a paired case (two subjects in alternating bursts), when it ran.
 * @param {CaseResult | undefined} r
 * @returns {Paired | undefined}
 */
function pairedResult(r) {
  const m = /** @type {Partial<Paired> | undefined} */ (r?.status === 'ok' ? r.measured : undefined);
  if (m?.ratio === undefined || !m.ratios?.length || !m.ours || !m.theirs) return undefined;
  return /** @type {Paired} */ (m);
}

/**
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow[]}
 */
function largePayloads(byId) {
  const hops = /** @type {const} */ ([
    ['our stdio client transport', 'payload/ours-stdio-client/c1/8MiB'],
    ['our stdio server transport', 'payload/ours-stdio-server/c1/8MiB'],
  ]);
  /** @type {TargetRow[]} */
  const rows = hops.map(([what, id]) => {
    const target = `An 8 MiB tool result passes every hop — ${what}`;
    const r = byId.get(id);
    if (missingStatus(r) || !r?.msgPerSec) return noNumber(r, target);
    const clean = (r.errors ?? 0) === 0;
    return {
      target,
      measured: `${int(r.requests ?? 0)} round trips, ${r.errors ?? 0} errors, ${r.mbPerSec} MB/s`,
      status: verdict(clean),
    };
  });
  const target =
    'An 8 MiB tool result through the proxy (stdio → Streamable HTTP): ≥ 80 % of the raw node:http 8 MiB echo of the same run (1 MiB, 64 KiB reported)';
  const ours = byId.get('payload/switchboard-stdio-to-http/c1/8MiB');
  const peers = ['mcp-proxy', 'supergateway']
    .map((name) => {
      const r = byId.get(`payload/${name}-stdio-to-http/c1/8MiB`);
      if (!r || r.status === 'unavailable') return '';
      return r.status === 'failed'
        ? `${name} failed (${firstLine(r.reason).slice(0, 60)})`
        : `${name} ${r.mbPerSec} MB/s`;
    })
    .filter(Boolean)
    .join(', ');
  const context = peers ? `. Same run: ${peers}` : '';
  const raw8 = byId.get('payload/raw-http/c1/8MiB');
  if (missingStatus(ours) || !ours?.msgPerSec) {
    const row = noNumber(ours, target);
    rows.push({ ...row, measured: `${row.measured}${context}` });
  } else if (missingStatus(raw8) || !raw8?.msgPerSec) {
    const row = noNumber(raw8, target);
    rows.push({ ...row, measured: `raw node:http 8 MiB echo: ${row.measured}${context}` });
  } else {
    const ratio = ours.msgPerSec.median / raw8.msgPerSec.median;
    const forward = byId.get('payload/raw-forward/c1/8MiB');
    const hop = forward?.msgPerSec
      ? `; the check-nothing HTTP → stdio forwarder (what any hop costs) ${forward.mbPerSec} MB/s, ${percent(forward.msgPerSec.median / raw8.msgPerSec.median)} of raw, so switchboard is ${percent(ours.msgPerSec.median / forward.msgPerSec.median)} of it`
      : '';
    const incremental = byId.get('payload/switchboard-stdio-to-http-incremental-gc/c1/8MiB');
    const incrementalGc = incremental?.msgPerSec
      ? `; with \`--gc incremental\` (V8's own marking) ${incremental.mbPerSec} MB/s, ${percent(incremental.msgPerSec.median / raw8.msgPerSec.median)} of raw`
      : '';
    const smaller = ['1MiB', '64KiB']
      .map((size) => {
        const o = byId.get(`payload/switchboard-stdio-to-http/c1/${size}`);
        const r = byId.get(`payload/raw-http/c1/${size}`);
        if (!o?.msgPerSec || !r?.msgPerSec) return '';
        return `${size}: ${o.mbPerSec} vs ${r.mbPerSec} MB/s, ${percent(o.msgPerSec.median / r.msgPerSec.median)}`;
      })
      .filter(Boolean)
      .join('; ');
    rows.push({
      target,
      measured: `${ours.mbPerSec} vs ${raw8.mbPerSec} MB/s: ${percent(ratio)} of raw node:http, ${ours.errors ?? 0} errors${hop}${incrementalGc}${smaller ? `; ${smaller}` : ''}${noiseNote(ours.msgPerSec, raw8.msgPerSec, 0.8)}${context}`,
      status: verdict(ratio >= 0.8 && (ours.errors ?? 0) === 0),
    });
  }
  return rows;
}

/**
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow}
 */
function idleSessions(byId) {
  const target = 'Shared-mode proxy with 1,000 idle sessions: ≤ 150 MB RSS';
  const ours = byId.get('sessions/switchboard-shared/c16');
  const floor = byId.get('sessions/raw-http/c16');
  const context = floor?.rss
    ? `. Same run: raw node:http with 1,000 sessions ${Object.values(floor.rss.treesMB)[0]} MB`
    : '';
  if (missingStatus(ours) || !ours?.rss) {
    const row = noNumber(ours, target);
    return { ...row, measured: `${row.measured}${context}` };
  }
  // The proxy process itself; its backend child is listed beside it.
  const mb = ours.rss.processesMB.switchboard ?? 0;
  const tree = Object.values(ours.rss.treesMB).reduce((a, b) => a + b, 0);
  return {
    target,
    measured: `${mb.toFixed(0)} MB (with its backend child ${tree.toFixed(0)} MB)${context}`,
    status: verdict(mb <= 150),
  };
}

/**
 * @param {Map<string, CaseResult>} byId
 * @returns {TargetRow}
 */
function gatewayCost(byId) {
  const target = 'Gateway with two backends vs plain `serve` with one, C=64: ≤ 10 % fewer msg/s';
  const gateway = byId.get('gateway/gateway-2-backends/c64');
  const serve = byId.get('gateway/serve-1-backend/c64');
  // The round-robin bursts (the three subjects in turn, five rounds) meet the same load, so they judge
  // the target; the subjects' own windows, minutes apart, are reported beside them.
  const roundRobin =
    /** @type {Record<string, { msgPerSec?: number, msgPerSecVsServe?: number, vsServe?: number }> | undefined} */ (
      byId.get('gateway/cpu-per-request/c64')?.measured
    );
  const rr = roundRobin?.['gateway-2-backends'];
  const rrServe = roundRobin?.['serve-1-backend'];
  const windows =
    gateway?.msgPerSec && serve?.msgPerSec
      ? `own windows: ${percent(gateway.msgPerSec.median / serve.msgPerSec.median)} (${int(gateway.msgPerSec.median)} vs ${int(serve.msgPerSec.median)} msg/s)${noiseNote(gateway.msgPerSec, serve.msgPerSec, 0.9)}`
      : undefined;
  if (rr?.msgPerSecVsServe !== undefined && rr.msgPerSec !== undefined && rrServe?.msgPerSec !== undefined) {
    const ratio = rr.msgPerSecVsServe;
    return {
      target,
      measured: `${percent(ratio)} of serve, median of 5 round-robin rounds (${int(rr.msgPerSec)} vs ${int(rrServe.msgPerSec)} msg/s; CPU per request ${rr.vsServe ?? '?'}× serve's)${windows ? `; ${windows}` : ''}`,
      status: verdict(ratio >= 0.9),
    };
  }
  if (missingStatus(gateway) || !gateway?.msgPerSec) return noNumber(gateway, target);
  if (!serve?.msgPerSec) return { target, measured: 'plain serve was not measured', status: 'not run' };
  const ratio = gateway.msgPerSec.median / serve.msgPerSec.median;
  return { target, measured: `${percent(ratio)} of serve, ${windows}`, status: verdict(ratio >= 0.9) };
}
