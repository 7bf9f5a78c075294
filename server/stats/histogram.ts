/**
 * Durations kept as counts in log-spaced buckets (the columns h0 … h59 of incident_rollup),
 * and quantiles read back from them. The buckets are those of the SQL function
 * incident_duration_bucket (migration 003): three per doubling of minutes.
 *
 *   bucket 0        [0, 2^(1/3)) minutes
 *   bucket b ≥ 1    [2^(b/3), 2^((b+1)/3)) minutes
 *   bucket 59       [2^(59/3) minutes ≈ 580 days, ∞)
 *
 * Error of a quantile: the estimate always lies in the bucket that holds the true quantile (the
 * smallest duration with at least that share of the appeals at or below it), so it is off by
 * less than the bucket's width, a factor 2^(1/3): 26 % at worst. Interpolating within the
 * bucket as if the durations were spread evenly in log-time makes the error much smaller for
 * smooth distributions: about 1 % for large samples of log-normal resolution times, a few per
 * cent for samples of 50 (test/unit/stats-histogram.test.ts).
 */

export const BUCKETS = 60;
const PER_DOUBLING = 3;

/** The bucket of a duration in seconds, as incident_duration_bucket computes it. */
export function durationBucket(seconds: number): number {
  if (seconds < 60) return 0;
  return Math.min(BUCKETS - 1, Math.floor((PER_DOUBLING * Math.log(seconds / 60)) / Math.LN2));
}

/** [lower, upper) minutes of a bucket; the last bucket is open-ended. */
export function bucketBounds(b: number): [number, number] {
  const lower = b === 0 ? 0 : 2 ** (b / PER_DOUBLING);
  const upper = b === BUCKETS - 1 ? Number.POSITIVE_INFINITY : 2 ** ((b + 1) / PER_DOUBLING);
  return [lower, upper];
}

/**
 * The q-quantile (0 < q < 1) in hours of the durations counted in `counts` (index = bucket),
 * or null when there are none. Within the bucket that holds it, the quantile is interpolated
 * geometrically (evenly in log-time); in bucket 0 linearly; in the open-ended last bucket it
 * is that bucket's lower bound.
 */
export function quantileHours(counts: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let b = 0; b < counts.length; b++) total += counts[b] ?? 0;
  if (total <= 0) return null;
  const target = q * total;
  let below = 0;
  for (let b = 0; b < counts.length; b++) {
    const n = counts[b] ?? 0;
    if (n > 0 && below + n >= target) {
      const frac = Math.min(1, Math.max(0, (target - below) / n));
      const [lo, hi] = bucketBounds(b);
      const minutes = b === 0 ? hi * frac : Number.isFinite(hi) ? lo * (hi / lo) ** frac : lo;
      return minutes / 60;
    }
    below += n;
  }
  return null;
}
