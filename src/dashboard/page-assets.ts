/** Escapes text for an HTML attribute or text node. */
const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * The dashboard page: a static shell (no data, no inline script) that `app.js` fills from the live
 * stream. Sections carry `data-testid`s the browser tests read.
 */
export function dashboardHtml(options: { title: string; apiKeyHeader: string }): string {
  const title = escapeHtml(options.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — dashboard</title>
<link rel="stylesheet" href="/dashboard/uplot.css">
<link rel="stylesheet" href="/dashboard/app.css">
</head>
<body data-api-key-header="${escapeHtml(options.apiKeyHeader)}">
<header>
  <h1>${title} <span class="sub">live dashboard</span></h1>
  <div class="totals" data-testid="totals">
    <span>sessions <b data-testid="total-sessions">–</b></span>
    <span>in flight <b data-testid="total-inflight">–</b></span>
    <span>requests <b data-testid="total-requests">–</b></span>
    <span>errors <b data-testid="total-errors">–</b></span>
    <span>calls/s <b data-testid="total-rate">–</b></span>
  </div>
  <div class="controls">
    <span class="status" data-testid="status">connecting…</span>
    <label class="file">open recording <input type="file" accept=".jsonl,.json,.ndjson" data-testid="open-recording"></label>
  </div>
</header>
<form id="login" hidden data-testid="login">
  <p>This dashboard needs credentials (the same as the MCP endpoint).</p>
  <label>header <select name="header"><option value="authorization">Authorization: Bearer</option><option value="apikey">${escapeHtml(options.apiKeyHeader)}</option></select></label>
  <label>token or key <input name="secret" type="password" autocomplete="off"></label>
  <button type="submit">connect</button>
</form>
<main>
  <section id="recording" hidden data-testid="recording">
    <h2>Recording <span data-testid="recording-name"></span></h2>
    <div class="stepper">
      <button type="button" data-step="-1">◀ previous</button>
      <span data-testid="recording-position"></span>
      <button type="button" data-step="1">next ▶</button>
      <button type="button" data-close-recording>back to live</button>
    </div>
    <table class="frames"><thead><tr><th>#</th><th>time</th><th>session</th><th>dir</th><th>kind</th><th>method / target</th><th>id</th></tr></thead><tbody data-testid="recording-frames"></tbody></table>
    <pre class="frame-detail" data-testid="recording-detail"></pre>
  </section>
  <div id="live">
  <section>
    <h2>Sessions</h2>
    <table><thead><tr><th>session</th><th>client</th><th>era</th><th>principal</th><th>frontend</th><th>age</th><th>in flight</th><th>requests</th><th>errors</th></tr></thead>
    <tbody data-testid="sessions"></tbody></table>
    <div id="session-view" hidden data-testid="session-view"><h3>Recent frames of <span data-testid="session-view-id"></span> <button type="button" data-close-session>close</button></h3>
    <table class="frames"><tbody data-testid="session-frames"></tbody></table></div>
  </section>
  <section>
    <h2>Backends</h2>
    <table><thead><tr><th>server</th><th>instance</th><th>state</th><th>starts</th><th>restarts</th><th>last exit</th><th>stderr (operator only)</th></tr></thead>
    <tbody data-testid="backends"></tbody></table>
  </section>
  <section>
    <h2>Operations <span class="sub">calls/s, error rate, latency p50/p95/p99 over the last minutes</span></h2>
    <div class="charts" data-testid="charts"></div>
  </section>
  <div class="pair">
  <section>
    <h2>In flight</h2>
    <table><thead><tr><th>session</th><th>server</th><th>call</th><th>age</th><th>progress</th></tr></thead><tbody data-testid="inflight"></tbody></table>
  </section>
  <section>
    <h2>Slowest recent calls</h2>
    <table><thead><tr><th>call</th><th>server</th><th>ms</th><th>session</th><th>outcome</th></tr></thead><tbody data-testid="slowest"></tbody></table>
  </section>
  </div>
  <section>
    <h2>Frames <span class="sub" data-testid="tail-note"></span></h2>
    <div class="filters">
      <label>session <input data-filter="session" data-testid="filter-session" placeholder="any"></label>
      <label>server <input data-filter="server" data-testid="filter-server" placeholder="any"></label>
      <label>method <input data-filter="method" data-testid="filter-method" placeholder="any"></label>
      <label><input type="checkbox" data-filter="errors" data-testid="filter-errors"> errors only</label>
      <button type="button" data-testid="pause">pause</button>
    </div>
    <table class="frames"><thead><tr><th>time</th><th>session</th><th>server</th><th>dir</th><th>kind</th><th>method / target</th><th>ms</th><th>detail</th></tr></thead>
    <tbody data-testid="tail"></tbody></table>
  </section>
  </div>
</main>
<script src="/dashboard/uplot.js"></script>
<script type="module" src="/dashboard/app.js"></script>
</body>
</html>
`;
}

/** The page's style sheet (system fonts only). */
export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --bg: #fafafa; --fg: #1d1f23; --muted: #6b7280; --line: #e3e5e8; --bad: #c62828; --ok: #2e7d32; --warn: #b26a00; }
@media (prefers-color-scheme: dark) { :root { --bg: #15171a; --fg: #e6e6e6; --muted: #9aa0a6; --line: #2b2f34; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--line); background: var(--bg); }
h1 { font-size: 16px; margin: 0; } h2 { font-size: 14px; margin: 0 0 6px; } h3 { font-size: 13px; margin: 8px 0 4px; }
.sub { color: var(--muted); font-weight: normal; font-size: 12px; }
.totals { display: flex; gap: 14px; } .totals b { font-variant-numeric: tabular-nums; }
.controls { margin-left: auto; display: flex; gap: 12px; align-items: center; }
.status.live { color: var(--ok); } .status.down { color: var(--bad); }
main { padding: 10px 16px; } section { margin-bottom: 16px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; } td { font-variant-numeric: tabular-nums; }
tr.error td, td.bad, .state-failed, .state-restarting { color: var(--bad); } .state-up { color: var(--ok); } .state-starting { color: var(--warn); }
tbody tr.clickable { cursor: pointer; } tbody tr.clickable:hover, tr.current { background: rgba(127,127,127,.12); }
pre, .stderr { margin: 0; font: 11px/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-all; max-height: 9em; overflow: auto; }
.frame-detail { max-height: 24em; border: 1px solid var(--line); padding: 6px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; }
.chart { border: 1px solid var(--line); padding: 6px; } .chart h3 { margin: 0 0 4px; }
.filters { display: flex; gap: 10px; align-items: center; margin-bottom: 6px; flex-wrap: wrap; }
input, select, button { font: inherit; } input[data-filter] { width: 9em; }
#login { margin: 16px; padding: 12px; border: 1px solid var(--bad); display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
.stepper { display: flex; gap: 10px; align-items: center; margin-bottom: 6px; }
.file input { max-width: 14em; }
`;
