import { scenarios } from './scenarios/index.js';

/**
 * Resolves the scenario names of the command line: none means the default set; "all" means every
 * scenario; otherwise the named ones, preceded by the scenarios their baselines need (unless
 * `withNeeds` is false). Keeps registry order.
 * @param {string[]} names
 * @param {boolean} withNeeds
 * @returns {import('./scenarios/cases.js').Scenario[]}
 * @throws {Error} on an unknown name, listing the known ones
 */
export function selectScenarios(names, withNeeds) {
  if (names.length === 0) return scenarios.filter((s) => s.inDefault);
  if (names.includes('all')) return scenarios;
  const known = new Map(scenarios.map((s) => [s.name, s]));
  const chosen = new Set();
  for (const name of names) {
    const s = known.get(name);
    if (!s) throw new Error(`unknown scenario "${name}"; known: ${[...known.keys()].join(', ')}, all`);
    chosen.add(name);
    if (withNeeds) for (const need of s.needs ?? []) chosen.add(need);
  }
  return scenarios.filter((s) => chosen.has(s.name));
}
