/**
 * Trends over time slices: the Mann–Kendall test, and the emerging hot spot categories built
 * on it. Pure functions.
 *
 * References:
 * - H. B. Mann (1945), "Nonparametric Tests Against Trend", Econometrica 13(3), 245–259;
 *   M. G. Kendall (1975), Rank Correlation Methods, 4th ed., Griffin: the statistic S, its
 *   variance with the correction for tied groups, and the continuity-corrected normal score.
 * - Esri, ArcGIS Pro "How Emerging Hot Spot Analysis works" (Space Time Pattern Mining toolbox):
 *   the categories new, intensifying, persistent, diminishing and sporadic, simplified here as
 *   `emergingTrend` documents.
 */
import { twoSidedP } from './gistar.ts';

export interface MannKendall {
  /** S = Σ_{i<j} sgn(x_j − x_i) */
  s: number;
  /** Var(S) with the ties correction */
  variance: number;
  /** continuity-corrected normal score */
  z: number;
  /** two-sided p-value of z */
  p: number;
  /** Kendall's τ_a = S / (n (n − 1) / 2), −1..1 */
  tau: number;
}

/**
 * Mann–Kendall trend test of a series in time order:
 *
 *   S = Σ_{i<j} sgn(x_j − x_i)
 *   Var(S) = [ n(n−1)(2n+5) − Σ_g t_g (t_g − 1)(2 t_g + 5) ] / 18,   t_g the size of tied group g
 *   Z = (S − 1)/√Var(S) if S > 0;  0 if S = 0;  (S + 1)/√Var(S) if S < 0
 *
 * Fewer than three values, or all values tied, give S = 0, Z = 0, p = 1.
 */
export function mannKendall(series: readonly number[]): MannKendall {
  const n = series.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign(series[j] - series[i]);
  const ties = new Map<number, number>();
  for (const x of series) ties.set(x, (ties.get(x) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = n < 3 || variance <= 0 || s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(variance);
  return { s, variance, z, p: z === 0 ? 1 : twoSidedP(z), tau: n < 2 ? 0 : s / ((n * (n - 1)) / 2) };
}

export type Trend = 'new' | 'intensifying' | 'persistent' | 'diminishing' | 'sporadic';

export const TREND_RULES = {
  /** The Mann–Kendall trend of the slice z-scores counts at this two-sided level. */
  alpha: 0.1,
  /** "Persistent": significant in at least this share of the slices. */
  persistentShare: 0.9,
  /** Below this many slices, no trend is given. */
  minSlices: 4,
} as const;

export interface SliceHistory {
  /** +1 for a cell significant as a hot spot over the whole period, −1 for a cold spot. */
  direction: 1 | -1;
  /**
   * The intensity of the cell in each time slice, oldest first: the share of the slice's
   * appeals that fall in the cell's neighbourhood (analysis.ts).
   */
  sliceIntensity: readonly number[];
  /** Whether the cell is significant in each slice, in `direction` (FDR-adjusted within the slice). */
  sliceSignificant: readonly boolean[];
}

/**
 * The emerging pattern of a cell that is significant over the whole period, after Esri's
 * emerging hot spot categories, simplified for a few slices. The intensities are oriented by
 * `direction` (so "intensifying" means a growing share for a hot spot and a shrinking one for
 * a cold spot), and the first rule that applies wins:
 *
 * 1. new — significant in the final slice and in no earlier slice;
 * 2. intensifying — significant in the final slice, and the Mann–Kendall trend of the
 *    oriented intensity is upward at α = 0.10;
 * 3. diminishing — the Mann–Kendall trend is downward at α = 0.10;
 * 4. persistent — significant in at least 90 % of the slices, with no significant trend;
 * 5. sporadic — anything else: on and off, including cells that are significant only when
 *    the whole period is pooled.
 *
 * Esri's version asks for 90 % of the slices in "intensifying" and "diminishing" as well, and
 * adds consecutive, oscillating and historical; with four to a dozen slices of a month or two,
 * those would almost never apply. Esri tests the trend of the Gi* z-scores; those saturate
 * when one cluster dominates a slice (a neighbourhood of W of n cells holding every appeal
 * scores √((n − W)/W) however many there are), so a cluster growing from 40 to 80 appeals
 * would not read as intensifying. The neighbourhood's share of the slice's appeals grows with
 * it, and does not follow a city-wide rise or fall. Returns null with fewer than
 * `TREND_RULES.minSlices` slices.
 */
export function emergingTrend(h: SliceHistory): Trend | null {
  const k = h.sliceIntensity.length;
  if (k < TREND_RULES.minSlices || h.sliceSignificant.length !== k) return null;
  const last = h.sliceSignificant[k - 1];
  const earlier = h.sliceSignificant.slice(0, -1).some(Boolean);
  if (last && !earlier) return 'new';
  const mk = mannKendall(h.sliceIntensity.map((v) => v * h.direction));
  const up = mk.s > 0 && mk.p <= TREND_RULES.alpha;
  const down = mk.s < 0 && mk.p <= TREND_RULES.alpha;
  if (last && up) return 'intensifying';
  if (down) return 'diminishing';
  const share = h.sliceSignificant.filter(Boolean).length / k;
  if (share >= TREND_RULES.persistentShare && !up) return 'persistent';
  return 'sporadic';
}
