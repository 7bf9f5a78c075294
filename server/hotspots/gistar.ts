/**
 * The Getis–Ord Gi* statistic with binary distance-band weights, and the normal distribution
 * it is read against. Pure functions over plain arrays: no database, no I/O.
 *
 * References:
 * - A. Getis, J. K. Ord (1992), "The Analysis of Spatial Association by Use of Distance
 *   Statistics", Geographical Analysis 24(3), 189–206: the local statistic G*_i, whose sum runs
 *   over j including i itself.
 * - J. K. Ord, A. Getis (1995), "Local Spatial Autocorrelation Statistics: Distributional
 *   Issues and an Application", Geographical Analysis 27(4), 286–306: the standardised form
 *   below, which is itself a z-score (mean 0, variance 1 under the randomisation null), and its
 *   asymptotic normality.
 */

/** A point in a metric plane: x east, y north, metres (or any one unit used throughout). */
export interface XY {
  x: number;
  y: number;
}

/**
 * For every point, the indices of the points within `band` of it, itself included (the "*" of
 * Gi*: w_ii = 1). Distances are Euclidean; a relative tolerance of 1e-9 keeps lattice points
 * exactly at the band (e.g. the second ring of a hexagon grid at 2 × spacing) inside it.
 * A hash of square buckets `band` wide makes this O(n · neighbours) instead of O(n²).
 */
export function neighboursWithin(points: readonly XY[], band: number): Int32Array[] {
  if (!(band > 0)) throw new RangeError('band must be a positive distance');
  const limit = band * band * (1 + 1e-9);
  // Numeric keys of the buckets (exact for |bucket index| < 2^20, a band of 1 m over 1,000 km).
  const key = (bx: number, by: number) => (bx + 1_048_576) * 2_097_152 + (by + 1_048_576);
  const buckets = new Map<number, number[]>();
  const bx = new Float64Array(points.length);
  const by = new Float64Array(points.length);
  points.forEach((p, i) => {
    bx[i] = Math.floor(p.x / band);
    by[i] = Math.floor(p.y / band);
    const k = key(bx[i], by[i]);
    const list = buckets.get(k);
    if (list) list.push(i);
    else buckets.set(k, [i]);
  });
  return points.map((p, i) => {
    const found: number[] = [];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const list = buckets.get(key(bx[i] + dx, by[i] + dy));
        if (!list) continue;
        for (const j of list) {
          const ex = points[j].x - p.x;
          const ey = points[j].y - p.y;
          if (ex * ex + ey * ey <= limit) found.push(j);
        }
      }
    }
    return Int32Array.from(found).sort();
  });
}

/**
 * Gi* z-scores of `values` (x_1..x_n, one per cell) with binary weights w_ij = 1 when j is in
 * `neighbours[i]` (which includes i), else 0 (Ord & Getis 1995, eq. 14, with w_ij binary):
 *
 *   X̄ = Σ_j x_j / n,   S = √( Σ_j x_j² / n − X̄² )
 *   W_i = Σ_j w_ij  (= |N_i|, the cell and its neighbours),   Σ_j w_ij² = W_i
 *
 *   G*_i = ( Σ_{j∈N_i} x_j − X̄ · W_i ) / ( S · √( (n · W_i − W_i²) / (n − 1) ) )
 *
 * G*_i is already a standard score: positive where high values cluster (a hot spot), negative
 * where low values do (a cold spot). Cells with nothing to compare get 0: when every value is
 * the same (S = 0), or when a neighbourhood covers every cell (W_i = n).
 */
export function giStar(values: ArrayLike<number>, neighbours: readonly ArrayLike<number>[]): Float64Array {
  const n = values.length;
  if (neighbours.length !== n) throw new RangeError('one neighbour list per value');
  const z = new Float64Array(n);
  if (n < 2) return z;
  let sum = 0;
  let sumSq = 0;
  for (let j = 0; j < n; j++) {
    sum += values[j];
    sumSq += values[j] * values[j];
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  // Rounding can leave a tiny residue where every value is equal.
  if (!(variance > 1e-12 * Math.max(1, mean * mean))) return z;
  const s = Math.sqrt(variance);
  for (let i = 0; i < n; i++) {
    const nb = neighbours[i];
    const w = nb.length;
    let local = 0;
    for (let k = 0; k < w; k++) local += values[nb[k]];
    const spread = (n * w - w * w) / (n - 1);
    z[i] = spread > 0 ? (local - mean * w) / (s * Math.sqrt(spread)) : 0;
  }
  return z;
}

/**
 * Skewness of a neighbourhood's count when `total` appeals fall on `cells` cells independently
 * and uniformly (complete spatial randomness): a neighbourhood of W cells then holds a
 * Binomial(total, π = W / cells) count, whose skewness is
 *
 *   γ = (1 − 2π) / √( total · π (1 − π) )
 *
 * Counts of appeals are right-skewed, and so are sums over a few cells: read against the
 * symmetric normal distribution, their upper tail gives too many small p-values, hence false
 * hot spots where appeals are sparse. The skewness is that of the null of no clustering, not
 * the one of the observed values: a real cluster inflates the latter and would hide itself
 * (a permutation test of a single extreme cell cannot do better than W / cells).
 */
export function countSkewness(total: number, w: number, cells: number): number {
  const p = w / cells;
  const variance = total * p * (1 - p);
  return variance > 0 ? (1 - 2 * p) / Math.sqrt(variance) : 0;
}

/**
 * A standard score corrected for skewness γ, by the Wilson–Hilferty cube-root transformation
 * (E. B. Wilson, M. M. Hilferty 1931, "The distribution of chi-square", PNAS 17, 684–688)
 * written for any standardised variable whose skewness is γ as a gamma variable's would be:
 *
 *   z' = ( ∛(1 + γ z / 2) − 1 + γ²/36 ) · 6 / γ
 *
 * z' is then read against the normal distribution. To first order in γ this is the
 * Cornish–Fisher correction z − γ (z² − 1)/6; unlike that polynomial it stays monotone in z.
 * γ = 0 leaves z unchanged.
 */
export function skewCorrected(z: number, skewness: number): number {
  if (Math.abs(skewness) < 1e-9) return z;
  return ((Math.cbrt(1 + (skewness * z) / 2) - 1 + (skewness * skewness) / 36) * 6) / skewness;
}

/**
 * The complementary error function erfc(x), by the Chebyshev-fitted formula of W. H. Press et
 * al., Numerical Recipes (2nd ed., 1992, §6.2, "erfcc"): fractional error below 1.2 × 10⁻⁷ for
 * every x, so tail probabilities stay accurate in relative terms far out (p-values of 10⁻²⁰
 * keep their digits, which the Benjamini–Hochberg ranking needs).
 */
export function erfc(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  // Horner's rule over the coefficients of t^0 … t^9.
  let poly = 0;
  for (let k = ERFC_COEFFICIENTS.length - 1; k >= 0; k--) poly = poly * t + ERFC_COEFFICIENTS[k];
  const r = t * Math.exp(-a * a + poly);
  return x >= 0 ? r : 2 - r;
}

const ERFC_COEFFICIENTS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
];

/** Φ(z), the standard normal distribution function: Φ(z) = erfc(−z / √2) / 2. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Two-sided p-value of a z-score: P(|Z| ≥ |z|) = 2 (1 − Φ(|z|)) = erfc(|z| / √2). */
export function twoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}
