import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownReport } from './markdown.js';
import { computeRatios } from './ratios.js';
import { svgChart } from './svg-chart.js';

/**
 * Writes a run as `<dir>/runs/<stamp>.{json,md,svg}` and, when asked, copies it to
 * `<dir>/latest.{json,md,svg}` (the committed report).
 * @param {import('./markdown.js').RunReport} run
 * @param {{ dir: string, latest: boolean }} options
 * @returns {{ json: string, md: string, svg: string, latest?: string }} the paths written
 */
export function writeReport(run, { dir, latest }) {
  const stamp = run.machine.date.replace(/[:.]/g, '-');
  const runsDir = join(dir, 'runs');
  mkdirSync(runsDir, { recursive: true });
  const ratios = computeRatios(run.results);
  const subtitle = `${run.machine.cpuModel} × ${run.machine.cores}, Node ${run.machine.node}, ${run.machine.date.slice(0, 10)}`;
  const paths = {
    json: join(runsDir, `${stamp}.json`),
    md: join(runsDir, `${stamp}.md`),
    svg: join(runsDir, `${stamp}.svg`),
  };
  const withRatios = {
    ...run,
    results: run.results.map((r) => ({ ...r, ratio: ratios.get(r.id) })),
  };
  writeFileSync(paths.json, `${JSON.stringify(withRatios, null, 2)}\n`);
  writeFileSync(paths.svg, svgChart(run.results, ratios, subtitle));
  writeFileSync(paths.md, markdownReport(run, ratios, `${stamp}.svg`));
  if (!latest) return paths;
  copyFileSync(paths.json, join(dir, 'latest.json'));
  copyFileSync(paths.svg, join(dir, 'latest.svg'));
  writeFileSync(join(dir, 'latest.md'), markdownReport(run, ratios, 'latest.svg'));
  return { ...paths, latest: join(dir, 'latest.md') };
}
