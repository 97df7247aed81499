/**
 * The dashboard page's script: reads the live stream (`/dashboard/api/events`, Server-Sent Events read
 * through `fetch` so credentials can travel in a header), fills the tables and charts, filters and
 * pauses the frame tail, and opens a recording (read in the browser, never uploaded) to step through.
 */
import type uPlotType from 'uplot';
import type { LiveFrame, LiveSeries, LiveSnapshot } from '../live-types.js';

declare const uPlot: typeof uPlotType;

interface RecordedLine {
  time: string;
  session: string;
  direction: 'in' | 'out';
  message: Record<string, unknown>;
}

const TAIL_ROWS = 300;
const CHARTS = 8;
const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (el === null) throw new Error(`missing ${selector}`);
  return el;
};
const byTest = (id: string): HTMLElement => $(`[data-testid="${id}"]`);

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const age = (ms: number): string =>
  ms < 1000
    ? `${ms} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;
const clock = (t: number): string =>
  new Date(t).toLocaleTimeString(undefined, { hour12: false }) + `.${String(t % 1000).padStart(3, '0')}`;
const callName = (method: string | undefined, target: string | undefined): string =>
  target === undefined ? (method ?? '') : `${method ?? ''} ${target}`;

// ——— credentials ———
const credentials = {
  get(): Record<string, string> {
    const kind = sessionStorage.getItem('switchboard.kind');
    const secret = sessionStorage.getItem('switchboard.secret');
    if (!secret) return {};
    if (kind === 'apikey') return { [document.body.dataset.apiKeyHeader ?? 'x-api-key']: secret };
    return { authorization: `Bearer ${secret}` };
  },
  ask(): void {
    const form = $<HTMLFormElement>('#login');
    form.hidden = false;
    setStatus('credentials needed', 'down');
  },
};

$<HTMLFormElement>('#login').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const data = new FormData(form);
  const field = (name: string): string => {
    const v = data.get(name);
    return typeof v === 'string' ? v : '';
  };
  sessionStorage.setItem('switchboard.kind', field('header'));
  sessionStorage.setItem('switchboard.secret', field('secret'));
  form.hidden = true;
  void connect();
});

function setStatus(text: string, kind: 'live' | 'down' | '' = ''): void {
  const el = byTest('status');
  el.textContent = text;
  el.className = `status ${kind}`;
}

// ——— live stream ———
let retryMs = 500;
async function connect(): Promise<void> {
  setStatus('connecting…');
  let response: Response;
  try {
    response = await fetch('/dashboard/api/events', { headers: credentials.get(), cache: 'no-store' });
  } catch {
    return reconnect();
  }
  if (response.status === 401 || response.status === 403) {
    credentials.ask();
    return;
  }
  if (!response.ok || response.body === null) return reconnect();
  setStatus('live', 'live');
  retryMs = 500;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch {
    // The stream broke: reconnect below.
  }
  reconnect();
}

function reconnect(): void {
  setStatus('disconnected — retrying', 'down');
  setTimeout(() => void connect(), retryMs);
  retryMs = Math.min(retryMs * 2, 10_000);
}

function dispatch(block: string): void {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (data === '') return;
  const value: unknown = JSON.parse(data);
  if (event === 'snapshot') renderSnapshot(value as LiveSnapshot);
  else if (event === 'frames') addFrames(value as { frames: LiveFrame[]; skipped: number });
}

// ——— snapshot ———
function renderSnapshot(s: LiveSnapshot): void {
  byTest('total-sessions').textContent = String(s.totals.sessions);
  byTest('total-inflight').textContent = String(s.totals.inflight);
  byTest('total-requests').textContent = String(s.totals.requests);
  byTest('total-errors').textContent = String(s.totals.errors);
  byTest('total-rate').textContent = s.totals.rate.toFixed(1);

  const sessions = byTest('sessions') as HTMLTableSectionElement;
  sessions.replaceChildren();
  for (const x of s.sessions) {
    const row = sessions.insertRow();
    row.className = 'clickable';
    row.dataset.session = x.id;
    if (x.closedAt !== undefined) row.style.opacity = '0.55';
    cell(row, x.id);
    cell(row, x.clientName === undefined ? '' : `${x.clientName} ${x.clientVersion ?? ''}`);
    cell(row, x.era === undefined ? '' : `${x.era}${x.protocolVersion ? ` (${x.protocolVersion})` : ''}`);
    cell(row, x.principal ?? '');
    cell(row, x.frontend + (x.remoteAddress ? ` ${x.remoteAddress}` : ''));
    cell(row, x.closedAt === undefined ? age(s.time - x.openedAt) : `closed ${age(s.time - x.closedAt)} ago`);
    cell(row, String(x.inflight));
    cell(row, String(x.requests));
    cell(row, String(x.errors), x.errors > 0 ? 'bad' : undefined);
    row.addEventListener('click', () => void openSession(x.id));
  }

  const backends = byTest('backends') as HTMLTableSectionElement;
  backends.replaceChildren();
  for (const b of s.backends) {
    const row = backends.insertRow();
    row.dataset.server = b.server;
    row.dataset.state = b.state;
    cell(row, b.server);
    cell(row, b.instance);
    cell(row, b.state, `state-${b.state}`);
    cell(row, String(b.starts));
    cell(row, String(b.restarts), b.restarts > 0 ? 'bad' : undefined);
    const exit = b.lastExit;
    cell(
      row,
      exit === undefined
        ? ''
        : `${clock(exit.time)} ${exit.exitCode != null ? `code ${exit.exitCode}` : (exit.signal ?? '')} after ${age(exit.uptimeMs)}: ${exit.message}`,
    );
    const pre = document.createElement('pre');
    pre.className = 'stderr';
    pre.textContent = b.stderr.join('\n');
    row.insertCell().append(pre);
  }

  const inflight = byTest('inflight') as HTMLTableSectionElement;
  inflight.replaceChildren();
  for (const r of s.inflight) {
    const row = inflight.insertRow();
    cell(row, r.session);
    cell(row, r.server);
    cell(row, callName(r.method, r.target));
    cell(row, age(s.time - r.startedAt));
    const p = r.progress;
    cell(
      row,
      p === undefined
        ? ''
        : `${p.progress}${p.total !== undefined ? ` / ${p.total}` : ''}${p.message ? ` ${p.message}` : ''}`,
    );
  }

  const slowest = byTest('slowest') as HTMLTableSectionElement;
  slowest.replaceChildren();
  for (const c of s.slowest) {
    const row = slowest.insertRow();
    cell(row, callName(c.method, c.target));
    cell(row, c.server);
    cell(row, c.durationMs.toFixed(0));
    cell(row, c.session);
    cell(row, c.error ?? 'ok', c.error ? 'bad' : undefined);
  }
  renderCharts(s.series);
}

// ——— charts ———
interface ChartPair {
  box: HTMLElement;
  calls: uPlotType;
  latency: uPlotType;
  summary: HTMLElement;
}
const charts = new Map<string, ChartPair>();

function seriesKey(s: LiveSeries): string {
  return `${s.server}\u0000${s.method}\u0000${s.target ?? ''}`;
}

function renderCharts(series: LiveSeries[]): void {
  const root = byTest('charts');
  const shown = series.slice(0, CHARTS);
  const keep = new Set(shown.map(seriesKey));
  for (const [key, pair] of charts) {
    if (!keep.has(key)) {
      pair.calls.destroy();
      pair.latency.destroy();
      pair.box.remove();
      charts.delete(key);
    }
  }
  for (const s of shown) {
    const key = seriesKey(s);
    const time = s.time.map((t) => t / 1000);
    const callsData: uPlotType.AlignedData = [
      time,
      s.rate,
      s.errorRate.map((e) => (e === null ? null : e * 100)),
    ];
    const latencyData: uPlotType.AlignedData = [time, s.p50, s.p95, s.p99];
    let pair = charts.get(key);
    if (pair === undefined) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.dataset.operation = callName(s.method, s.target);
      box.dataset.server = s.server;
      const title = document.createElement('h3');
      title.textContent = `${s.server} · ${callName(s.method, s.target)}`;
      const summary = document.createElement('div');
      summary.className = 'sub';
      summary.dataset.testid = 'chart-summary';
      box.append(title, summary);
      root.append(box);
      // As wide as its card (the grid decides); a single bucket with calls shows as a point.
      const width = Math.max(260, box.clientWidth - 14);
      const points = { show: true, size: 5 };
      const base = { width, height: 120, legend: { show: true }, scales: { x: { time: true } } };
      const calls = new uPlot(
        {
          ...base,
          series: [
            {},
            { label: 'calls/s', stroke: '#1565c0' },
            { label: 'errors %', stroke: '#c62828', scale: '%', points },
          ],
          axes: [{}, { label: 'calls/s' }, { scale: '%', side: 1, label: 'errors %', grid: { show: false } }],
          scales: { x: { time: true }, '%': { range: [0, 100] } },
        },
        callsData,
        box,
      );
      const latency = new uPlot(
        {
          ...base,
          series: [
            {},
            { label: 'p50 ms', stroke: '#2e7d32', spanGaps: true, points },
            { label: 'p95 ms', stroke: '#b26a00', spanGaps: true, points },
            { label: 'p99 ms', stroke: '#6a1b9a', spanGaps: true, points },
          ],
        },
        latencyData,
        box,
      );
      pair = { box, calls, latency, summary };
      charts.set(key, pair);
    } else {
      pair.calls.setData(callsData);
      pair.latency.setData(latencyData);
    }
    const errorPct = s.calls === 0 ? 0 : (100 * s.errors) / s.calls;
    pair.summary.textContent = `${s.calls} calls, ${s.errors} errors (${errorPct.toFixed(0)}% errors)`;
    pair.box.dataset.calls = String(s.calls);
    pair.box.dataset.errors = String(s.errors);
  }
}

// ——— frame tail ———
let paused = false;
const filters = { session: '', server: '', method: '', errors: false };
const tail: LiveFrame[] = [];
let skippedTotal = 0;

function matches(f: LiveFrame): boolean {
  if (filters.errors && f.kind !== 'error') return false;
  if (filters.session && !f.session.includes(filters.session)) return false;
  if (filters.server && !f.server.includes(filters.server)) return false;
  if (filters.method && !callName(f.method, f.target).includes(filters.method)) return false;
  return true;
}

function addFrames(batch: { frames: LiveFrame[]; skipped: number }): void {
  skippedTotal += batch.skipped;
  for (const f of batch.frames) {
    if (tail.length > 0 && f.seq <= (tail[tail.length - 1] as LiveFrame).seq) continue;
    tail.push(f);
  }
  if (tail.length > TAIL_ROWS * 4) tail.splice(0, tail.length - TAIL_ROWS * 4);
  if (!paused) renderTail();
}

function frameRow(body: HTMLTableSectionElement, f: LiveFrame): void {
  const row = body.insertRow();
  row.dataset.kind = f.kind;
  if (f.kind === 'error') row.className = 'error';
  cell(row, clock(f.time));
  cell(row, f.session);
  cell(row, f.server);
  cell(row, f.direction === 'in' ? '→' : '←');
  cell(row, f.kind);
  cell(row, callName(f.method, f.target));
  cell(row, f.durationMs === undefined ? '' : f.durationMs.toFixed(0));
  const detail = document.createElement('pre');
  detail.textContent = f.error ?? f.preview ?? '';
  row.insertCell().append(detail);
}

function renderTail(): void {
  const body = byTest('tail') as HTMLTableSectionElement;
  body.replaceChildren();
  const shown = tail.filter(matches).slice(-TAIL_ROWS).reverse();
  for (const f of shown) frameRow(body, f);
  byTest('tail-note').textContent =
    `${shown.length} shown${paused ? ', paused' : ''}${skippedTotal > 0 ? `, ${skippedTotal} not streamed (slow reader)` : ''}`;
}

for (const input of document.querySelectorAll<HTMLInputElement>('[data-filter]')) {
  input.addEventListener('input', () => {
    const name = input.dataset.filter as keyof typeof filters;
    if (name === 'errors') filters.errors = input.checked;
    else filters[name] = input.value.trim();
    renderTail();
  });
}
byTest('pause').addEventListener('click', (event) => {
  paused = !paused;
  (event.currentTarget as HTMLButtonElement).textContent = paused ? 'resume' : 'pause';
  renderTail();
});

// ——— per-session view ———
async function openSession(id: string): Promise<void> {
  const response = await fetch(`/dashboard/api/session?id=${encodeURIComponent(id)}`, {
    headers: credentials.get(),
    cache: 'no-store',
  });
  if (!response.ok) return;
  const { frames } = (await response.json()) as { frames: LiveFrame[] };
  byTest('session-view').hidden = false;
  byTest('session-view-id').textContent = id;
  const body = byTest('session-frames') as HTMLTableSectionElement;
  body.replaceChildren();
  for (const f of [...frames].reverse()) frameRow(body, f);
}
$('[data-close-session]').addEventListener('click', () => {
  byTest('session-view').hidden = true;
});

// ——— recordings ———
let recording: RecordedLine[] = [];
let position = 0;

function parseRecording(text: string): RecordedLine[] {
  const out: RecordedLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const v = JSON.parse(line) as Partial<RecordedLine> & { recording?: unknown };
    if (v.recording !== undefined) continue;
    if (
      (v.direction === 'in' || v.direction === 'out') &&
      typeof v.session === 'string' &&
      typeof v.message === 'object'
    )
      out.push(v as RecordedLine);
  }
  return out;
}

function kindOf(m: Record<string, unknown>): string {
  if (typeof m.method === 'string') return 'id' in m ? 'request' : 'notification';
  if ('error' in m) return 'error';
  return (m.result as { isError?: unknown } | undefined)?.isError === true ? 'error' : 'result';
}

function targetIn(m: Record<string, unknown>): string | undefined {
  const params = m.params as { name?: unknown; uri?: unknown } | undefined;
  return typeof params?.name === 'string'
    ? params.name
    : typeof params?.uri === 'string'
      ? params.uri
      : undefined;
}

function renderRecording(): void {
  const body = byTest('recording-frames') as HTMLTableSectionElement;
  body.replaceChildren();
  // Answers are shown with the call they answer (same session and id, the other direction).
  const calls = new Map<string, string>();
  const callKey = (session: string, direction: string, id: unknown): string =>
    `${session}\u0000${direction}\u0000${JSON.stringify(id)}`;
  recording.forEach((f, i) => {
    const row = body.insertRow();
    row.className = `clickable${i === position ? ' current' : ''}`;
    const m = f.message;
    const target = targetIn(m);
    const kind = kindOf(m);
    let name = callName(typeof m.method === 'string' ? m.method : undefined, target);
    if (kind === 'request') calls.set(callKey(f.session, f.direction, m.id), name);
    else if (kind === 'result' || kind === 'error')
      name = calls.get(callKey(f.session, f.direction === 'in' ? 'out' : 'in', m.id)) ?? '';
    cell(row, String(i + 1));
    cell(row, f.time);
    cell(row, f.session);
    cell(row, f.direction === 'in' ? '→' : '←');
    cell(row, kind, kind === 'error' ? 'bad' : undefined);
    cell(row, name);
    cell(row, m.id === undefined ? '' : JSON.stringify(m.id));
    row.addEventListener('click', () => {
      position = i;
      renderRecording();
    });
  });
  byTest('recording-position').textContent =
    recording.length === 0 ? 'empty' : `frame ${position + 1} of ${recording.length}`;
  byTest('recording-detail').textContent = recording[position]
    ? JSON.stringify(recording[position], null, 2)
    : '';
}

byTest('open-recording').addEventListener('change', (event) => {
  const file = (event.currentTarget as HTMLInputElement).files?.[0];
  if (file === undefined) return;
  void file.text().then((text) => {
    try {
      recording = parseRecording(text);
    } catch (error) {
      recording = [];
      byTest('recording-detail').textContent = `not a recording: ${(error as Error).message}`;
    }
    position = 0;
    byTest('recording-name').textContent = file.name;
    byTest('recording').hidden = false;
    $('#live').hidden = true;
    renderRecording();
  });
});
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-step]')) {
  button.addEventListener('click', () => {
    position = Math.max(0, Math.min(recording.length - 1, position + Number(button.dataset.step)));
    renderRecording();
  });
}
$('[data-close-recording]').addEventListener('click', () => {
  byTest('recording').hidden = true;
  $('#live').hidden = false;
});

void connect();
