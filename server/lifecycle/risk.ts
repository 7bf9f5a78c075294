/**
 * Deadline risk of an open appeal, from how long similar appeals took to resolve. Pure: the
 * caller passes the duration quantiles (hours) of resolved appeals of the same category and
 * district, category, or sphere.
 *
 * With D the time to resolve, an appeal open for e hours with a hours allowed by its norm is
 * late when D > a. Knowing it is still open (D > e):
 *
 *     risk = P(D > a | D > e) = S(a) / S(e),   S(x) = P(D > x)
 *
 * S is read off the empirical quantiles with linear interpolation between them. An appeal
 * already past its deadline has risk 1. Known bias: only appeals that were resolved make the
 * history (the slowest are still open), so risk is somewhat underestimated for categories
 * with many stuck appeals.
 */

/** The quantile levels of every summary: 0, 2 %, 4 %, ..., 100 %. */
export const LEVELS: readonly number[] = Array.from({ length: 51 }, (_, i) => i / 50);

/** Resolved appeals needed before a summary is trusted, per basis. */
export const MIN_SAMPLE = { category_district: 30, category: 30, sphere: 10 } as const;

/** An appeal not yet overdue with at least this risk is "at risk". */
export const AT_RISK = 0.5;

export type Basis = keyof typeof MIN_SAMPLE;

export interface DurationSample {
  /** Resolved appeals in the sample. */
  n: number;
  /** Hours to resolve at LEVELS (non-decreasing). */
  q: number[];
}

/** P(D > x) from quantiles at LEVELS. */
export function survival(q: readonly number[], x: number): number {
  const last = q.length - 1;
  if (x < q[0]) return 1;
  if (x >= q[last]) return 0;
  // The largest k with q[k] <= x; then q[k] <= x < q[k + 1], so the gap is never zero.
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid] <= x) lo = mid;
    else hi = mid;
  }
  const step = 1 / last;
  const f = lo * step + ((x - q[lo]) / (q[lo + 1] - q[lo])) * step;
  return Math.min(1, Math.max(0, 1 - f));
}

/**
 * P(late | still open after `elapsedH`) for an appeal allowed `allowedH` hours. When it has
 * already been open longer than any similar appeal took, it is treated as certain to be late.
 */
export function deadlineRisk(q: readonly number[], elapsedH: number, allowedH: number): number {
  if (elapsedH >= allowedH) return 1;
  const se = survival(q, Math.max(0, elapsedH));
  if (se <= 0) return 1;
  return Math.min(1, Math.max(0, survival(q, allowedH) / se));
}

/** Summaries keyed by basis: `cd:<category>:<district>`, `c:<category>`, `s:<sphere>`. */
export type DurationSummary = ReadonlyMap<string, DurationSample>;

export const summaryKey = {
  category_district: (categoryId: number, districtId: number | null) => `cd:${categoryId}:${districtId ?? 0}`,
  category: (categoryId: number) => `c:${categoryId}`,
  sphere: (sphereId: number | null) => `s:${sphereId ?? 0}`,
};

export interface Risk {
  /** Probability (0–1) of missing the deadline, rounded to 0.01. */
  p: number;
  basis: Basis | 'overdue';
  /** Size of the history behind it. */
  n: number;
}

/** The most specific history with enough appeals: category in district, category, sphere. */
export function pickSample(
  summary: DurationSummary,
  a: { categoryId: number; districtId: number | null; sphereId: number | null },
): { basis: Basis; sample: DurationSample } | null {
  const tries: [Basis, string][] = [
    ['category_district', summaryKey.category_district(a.categoryId, a.districtId)],
    ['category', summaryKey.category(a.categoryId)],
    ['sphere', summaryKey.sphere(a.sphereId)],
  ];
  for (const [basis, key] of tries) {
    const sample = summary.get(key);
    if (sample && sample.n >= MIN_SAMPLE[basis]) return { basis, sample };
  }
  return null;
}

/** The risk of one open appeal, or null when there is no history to judge it by. */
export function riskOf(
  summary: DurationSummary,
  a: { categoryId: number; districtId: number | null; sphereId: number | null; elapsedH: number; allowedH: number },
): Risk | null {
  if (a.elapsedH >= a.allowedH) return { p: 1, basis: 'overdue', n: 0 };
  const pick = pickSample(summary, a);
  if (!pick) return null;
  return { p: Math.round(deadlineRisk(pick.sample.q, a.elapsedH, a.allowedH) * 100) / 100, basis: pick.basis, n: pick.sample.n };
}
