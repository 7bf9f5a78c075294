/**
 * Multiple testing across cells: the Benjamini–Hochberg false discovery rate, and the hot/cold
 * classes read off the adjusted p-values.
 *
 * Reference: Y. Benjamini, Y. Hochberg (1995), "Controlling the False Discovery Rate: A
 * Practical and Powerful Approach to Multiple Testing", J. R. Statist. Soc. B 57(1), 289–300.
 * The procedure controls the FDR for independent tests and for positively dependent ones
 * (Benjamini & Yekutieli 2001, "PRDS"), which is the case of Gi* scores of overlapping
 * neighbourhoods.
 */

export type HotspotClass = 'hot99' | 'hot95' | 'hot90' | 'cold99' | 'cold95' | 'cold90' | 'ns';

/** The confidence levels of the classes, strictest first, as the largest adjusted p of each. */
export const LEVELS = [
  { confidence: 99, alpha: 0.01 },
  { confidence: 95, alpha: 0.05 },
  { confidence: 90, alpha: 0.1 },
] as const;

/**
 * Benjamini–Hochberg adjusted p-values ("q-values"), in the order of the input. With the p
 * sorted ascending, p_(1) ≤ … ≤ p_(m):
 *
 *   p̃_(k) = min_{l ≥ k} min(1, m · p_(l) / l)
 *
 * A test is rejected at FDR level α exactly when p̃ ≤ α, which is the step-up rule "reject the
 * k smallest, k the largest with p_(k) ≤ k α / m". NaN p-values (untested cells) stay NaN and
 * do not count in m.
 */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length).fill(Number.NaN);
  const order: number[] = [];
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i])) order.push(i);
  order.sort((a, b) => p[a] - p[b] || a - b);
  const m = order.length;
  let running = 1;
  for (let k = m; k >= 1; k--) {
    const i = order[k - 1];
    running = Math.min(running, (m * p[i]) / k);
    out[i] = running;
  }
  return out;
}

/** The class of a cell: its sign says hot or cold, its adjusted p-value the confidence. */
export function classify(z: number, pAdjusted: number): HotspotClass {
  if (!(pAdjusted <= LEVELS[LEVELS.length - 1].alpha) || z === 0 || Number.isNaN(z)) return 'ns';
  const level = LEVELS.find((l) => pAdjusted <= l.alpha)!;
  return `${z > 0 ? 'hot' : 'cold'}${level.confidence}` as HotspotClass;
}
