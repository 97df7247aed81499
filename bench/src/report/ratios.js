/**
 * Ratios of each case to its baseline, from results of the same run only.
 * @param {import('../run-case.js').CaseResult[]} results
 * @returns {Map<string, { ratio: number, baselineId: string }>} case id → ratio to the best baseline
 */
export function computeRatios(results) {
  const byId = new Map(results.map((r) => [r.id, r]));
  /** @type {Map<string, { ratio: number, baselineId: string }>} */
  const out = new Map();
  for (const r of results) {
    if (!r.msgPerSec || r.baseline === undefined) continue;
    const base = bestOf(byId, r.baseline);
    if (base?.msgPerSec)
      out.set(r.id, { ratio: r.msgPerSec.median / base.msgPerSec.median, baselineId: base.id });
  }
  return out;
}

/**
 * The measured case with the highest median among some ids.
 * @param {Map<string, import('../run-case.js').CaseResult>} byId
 * @param {string | string[]} ids
 */
export function bestOf(byId, ids) {
  /** @type {import('../run-case.js').CaseResult | undefined} */
  let best;
  for (const id of Array.isArray(ids) ? ids : [ids]) {
    const r = byId.get(id);
    if (r?.msgPerSec && (!best?.msgPerSec || r.msgPerSec.median > best.msgPerSec.median)) best = r;
  }
  return best;
}
