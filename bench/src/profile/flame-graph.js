// Turns a V8 `.cpuprofile` (what `node --cpu-prof` writes) into a flame graph SVG and a table of the
// functions with the most self time. Written here rather than taken from npm: the format is a plain
// call tree with sample counts, and the packages that draw it either need a browser (speedscope), perl
// (flamegraph.pl) or have not been kept up for years.

/**
 * @typedef {{ functionName: string, url: string, lineNumber: number, columnNumber: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, hitCount?: number, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], startTime: number, endTime: number, samples?: number[] }} CpuProfile
 * @typedef {{ name: string, where: string, kind: FrameKind, self: number, total: number,
 *   children: Map<string, Frame> }} Frame
 * @typedef {'ours' | 'node' | 'dependency' | 'bench' | 'native'} FrameKind
 */

/**
 * Where a frame's code lives, shortened for reading: `dist/…` for ours, `node:…` for Node's own, the
 * package path under the last `node_modules/`, or nothing for V8 built-ins and markers like `(idle)`.
 * @param {CallFrame} frame
 * @returns {{ where: string, kind: FrameKind }}
 */
export function locate(frame) {
  const url = frame.url;
  const line = frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : '';
  if (url === '') return { where: '', kind: 'native' };
  if (url.startsWith('node:')) return { where: `${url}${line}`, kind: 'node' };
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) return { where: `${url.slice(modules + 14)}${line}`, kind: 'dependency' };
  const dist = url.lastIndexOf('/dist/');
  if (dist !== -1) return { where: `${url.slice(dist + 1)}${line}`, kind: 'ours' };
  const bench = url.lastIndexOf('/bench/');
  if (bench !== -1) return { where: `${url.slice(bench + 1)}${line}`, kind: 'bench' };
  return { where: `${url.replace(/^file:\/\//, '')}${line}`, kind: 'ours' };
}

/**
 * The call tree of a profile with frames of the same function merged under each parent; `self` and
 * `total` count samples.
 * @param {CpuProfile} profile
 * @returns {Frame}
 */
export function callTree(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const rootNode = profile.nodes[0];
  if (!rootNode) throw new Error('the profile has no nodes');
  /** @type {Frame} */
  const root = { name: 'all', where: '', kind: 'native', self: 0, total: 0, children: new Map() };
  /** @type {[ProfileNode, Frame][]} */
  const stack = (rootNode.children ?? []).flatMap((id) => {
    const n = byId.get(id);
    return n ? [[n, root]] : [];
  });
  while (stack.length > 0) {
    const [node, parent] = /** @type {[ProfileNode, Frame]} */ (stack.pop());
    const { where, kind } = locate(node.callFrame);
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    let frame = parent.children.get(key);
    if (!frame) {
      frame = { name, where, kind, self: 0, total: 0, children: new Map() };
      parent.children.set(key, frame);
    }
    frame.self += hits.get(node.id) ?? node.hitCount ?? 0;
    for (const id of node.children ?? []) {
      const child = byId.get(id);
      if (child) stack.push([child, frame]);
    }
  }
  sumTotals(root);
  return root;
}

/** @param {Frame} frame */
function sumTotals(frame) {
  let total = frame.self;
  for (const child of frame.children.values()) total += sumTotals(child);
  frame.total = total;
  return total;
}

/** Markers V8 puts at the root: time not spent running JavaScript or native code of the program. */
const IDLE = new Set(['(idle)', '(program)']);

/**
 * The functions with the most self time (summed over every place they are called from).
 * @param {Frame} root
 * @param {number} [count] - default 25
 * @returns {{ name: string, where: string, kind: FrameKind, self: number, share: number, busyShare: number }[]}
 *   `share` of all samples, `busyShare` of the samples outside `(idle)` and `(program)`
 */
export function topSelf(root, count = 25) {
  /** @type {Map<string, { name: string, where: string, kind: FrameKind, self: number }>} */
  const sums = new Map();
  /** @param {Frame} f */
  const visit = (f) => {
    if (f.self > 0) {
      const key = `${f.name} ${f.where}`;
      const s = sums.get(key) ?? { name: f.name, where: f.where, kind: f.kind, self: 0 };
      s.self += f.self;
      sums.set(key, s);
    }
    for (const c of f.children.values()) visit(c);
  };
  visit(root);
  const idle = [...root.children.values()].filter((f) => IDLE.has(f.name)).reduce((n, f) => n + f.total, 0);
  const busy = Math.max(1, root.total - idle);
  return [...sums.values()]
    .sort((a, b) => b.self - a.self)
    .slice(0, count)
    .map((s) => ({
      ...s,
      share: s.self / Math.max(1, root.total),
      busyShare: IDLE.has(s.name) ? 0 : s.self / busy,
    }));
}

/** @type {Record<FrameKind, [number, number]>} hue range per kind */
const HUES = { ours: [20, 45], node: [200, 225], dependency: [95, 130], bench: [270, 290], native: [0, 12] };

/**
 * A stable colour for a frame: the kind picks the hue range, the name a point in it.
 * @param {Frame} frame
 */
function colour(frame) {
  let h = 0;
  for (let i = 0; i < frame.name.length; i++) h = (h * 31 + frame.name.charCodeAt(i)) >>> 0;
  const [lo, hi] = HUES[frame.kind];
  const hue = lo + (h % (hi - lo + 1));
  const light = 58 + ((h >>> 8) % 14);
  return `hsl(${hue},70%,${light}%)`;
}

/** @param {string} text */
function escapeXml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const WIDTH = 1200;
const ROW = 17;
const PAD = 10;
const CHAR_PX = 6.6;
const MIN_PX = 0.4;

/**
 * Draws the call tree as a flame graph (the root at the bottom, callees above their callers, width
 * proportional to samples); every box has a tooltip with its name, place and share.
 * @param {Frame} root
 * @param {{ title: string, subtitle?: string }} labels
 * @returns {string} the SVG document
 */
export function flameGraphSvg(root, labels) {
  const scale = (WIDTH - 2 * PAD) / Math.max(1, root.total);
  /** @type {{ frame: Frame, x: number, level: number, w: number }[]} */
  const boxes = [];
  /**
   * @param {Frame} frame
   * @param {number} x
   * @param {number} level
   */
  const place = (frame, x, level) => {
    const w = frame.total * scale;
    if (w < MIN_PX) return;
    boxes.push({ frame, x, level, w });
    let cx = x;
    for (const child of [...frame.children.values()].sort((a, b) => b.total - a.total)) {
      place(child, cx, level + 1);
      cx += child.total * scale;
    }
  };
  place(root, PAD, 0);
  const depth = boxes.reduce((d, b) => Math.max(d, b.level), 0);
  const height = 52 + (depth + 1) * ROW + PAD + 18;
  const base = height - PAD - 18;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Verdana, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fbfbf8"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(labels.title)}</text>`,
    labels.subtitle
      ? `<text x="${WIDTH / 2}" y="40" text-anchor="middle" fill="#555">${escapeXml(labels.subtitle)}</text>`
      : '',
    ...boxes.map((b) => box(b.frame, b.x, base - (b.level + 1) * ROW, b.w, root.total)),
    `<text x="${PAD}" y="${height - 6}" fill="#555">colours: orange = mcp-switchboard (dist/), blue = Node (node:), green = dependencies, red = V8/native, purple = bench. Hover for details.</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * @param {Frame} frame
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} all
 */
function box(frame, x, y, w, all) {
  const share = ((100 * frame.total) / Math.max(1, all)).toFixed(2);
  const label = `${frame.name}${frame.where ? ` (${frame.where})` : ''}`;
  const title = `${label} — ${frame.total} samples, ${share} %; self ${frame.self}`;
  const fits = Math.floor((w - 6) / CHAR_PX);
  const name = frame.name.length > fits ? `${frame.name.slice(0, Math.max(0, fits - 2))}..` : frame.name;
  const text = fits >= 3 ? `<text x="${(x + 3).toFixed(1)}" y="${y + 12.5}">${escapeXml(name)}</text>` : '';
  return `<g><title>${escapeXml(title)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 1}" fill="${colour(frame)}" rx="2"/>${text}</g>`;
}
