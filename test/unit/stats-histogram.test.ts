/**
 * Quantiles read from the rollup's duration histogram, and the split of a period into monthly
 * and daily rollup rows.
 */
import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketBounds, durationBucket, quantileHours } from '../../server/stats/histogram.ts';
import { monthStart, planDays } from '../../server/stats/plan.ts';

/** mulberry32, then Box–Muller: seeded normal numbers. */
function normals(seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const histogramOf = (seconds: number[]) => {
  const h = new Array<number>(BUCKETS).fill(0);
  for (const s of seconds) h[durationBucket(s)]++;
  return h;
};
const exactQuantile = (values: number[], q: number) => {
  const v = [...values].sort((a, b) => a - b);
  const pos = q * (v.length - 1);
  return v[Math.floor(pos)] + (v[Math.ceil(pos)] - v[Math.floor(pos)]) * (pos - Math.floor(pos));
};

describe('durationBucket', () => {
  it('puts three buckets in each doubling of minutes', () => {
    expect(durationBucket(0)).toBe(0);
    expect(durationBucket(59)).toBe(0);
    expect(durationBucket(60 * 2 ** (1 / 3) + 0.01)).toBe(1);
    expect(durationBucket(120)).toBe(3);
    expect(durationBucket(3600)).toBe(17); // 3 log2(60) = 17.7
    expect(durationBucket(86_400)).toBe(31); // 3 log2(1440) = 31.5
    expect(durationBucket(10 * 365 * 86_400)).toBe(59);
    for (const s of [90, 3600, 86_400, 30 * 86_400]) {
      const [lo, hi] = bucketBounds(durationBucket(s));
      expect(s / 60).toBeGreaterThanOrEqual(lo);
      expect(s / 60).toBeLessThan(hi);
    }
  });
});

describe('quantileHours', () => {
  it('reads medians and 90th percentiles of log-normal resolution times within 1.5 %', () => {
    // Times to resolve like a city service's: median 2 days, spread σ = 1.2 in log-time.
    for (const [seed, medianH, sigma] of [
      [1, 48, 1.2],
      [2, 5, 0.8],
      [3, 300, 1.5],
    ]) {
      const z = normals(seed);
      const seconds = Array.from({ length: 20_000 }, () => medianH * 3600 * Math.exp(sigma * z()));
      const h = histogramOf(seconds);
      for (const q of [0.5, 0.9]) {
        const exact = exactQuantile(seconds, q) / 3600;
        expect(Math.abs(quantileHours(h, q)! / exact - 1), `seed ${seed} q ${q}`).toBeLessThan(0.015);
      }
    }
  });

  it('is never off by more than a bucket: 26 %, even when every value sits at a bucket edge', () => {
    // 101 appeals all resolved in exactly 2^(30/3) = 1024 minutes: the true median is the lower
    // edge of bucket 30; interpolation puts the estimate at the middle of the bucket in log-time.
    const h = new Array<number>(BUCKETS).fill(0);
    h[30] = 101;
    const estimate = quantileHours(h, 0.5)! * 60;
    expect(estimate / 1024).toBeGreaterThan(1);
    expect(estimate / 1024).toBeLessThan(2 ** (1 / 3));
  });

  it('errs by a few per cent on small samples, and never by more than a bucket', () => {
    // 400 samples of 50 and of 500 log-normal durations: the typical (median) and the worst
    // error of the median read from the histogram.
    for (const [size, typical] of [
      [50, 0.05],
      [500, 0.02],
    ]) {
      const errors: number[] = [];
      for (let seed = 10; seed < 410; seed++) {
        const z = normals(seed * size);
        const seconds = Array.from({ length: size }, () => (2 + seed) * 3600 * Math.exp((0.5 + (seed % 10) / 7) * z()));
        const exact = [...seconds].sort((a, b) => a - b)[size / 2 - 1] / 3600; // the lower median
        errors.push(Math.abs(quantileHours(histogramOf(seconds), 0.5)! / exact - 1));
      }
      errors.sort((a, b) => a - b);
      expect(errors[200], `typical error, samples of ${size}`).toBeLessThan(typical);
      expect(errors[399], `worst error, samples of ${size}`).toBeLessThan(2 ** (1 / 3) - 1);
    }
  });

  it('handles empty, first and last buckets', () => {
    const h = new Array<number>(BUCKETS).fill(0);
    expect(quantileHours(h, 0.5)).toBeNull();
    h[0] = 2;
    expect(quantileHours(h, 0.5)! * 60).toBeCloseTo(2 ** (1 / 3) / 2, 9);
    h[0] = 0;
    h[59] = 3;
    expect(quantileHours(h, 0.5)! * 60).toBeCloseTo(2 ** (59 / 3), 6);
  });
});

describe('planDays', () => {
  it('reads full months from monthly rows and the rest from daily rows', () => {
    expect(planDays('2026-01-15', '2026-04-10', true)).toEqual({
      months: ['2026-02-01', '2026-04-01'],
      days: [
        ['2026-01-15', '2026-02-01'],
        ['2026-04-01', '2026-04-10'],
      ],
    });
    expect(planDays('2026-01-01', '2027-01-01', true)).toEqual({ months: ['2026-01-01', '2027-01-01'], days: [] });
    expect(planDays('2026-01-05', '2026-01-25', true)).toEqual({ months: null, days: [['2026-01-05', '2026-01-25']] });
    expect(planDays('2025-12-20', '2026-01-10', true)).toEqual({ months: null, days: [['2025-12-20', '2026-01-10']] });
    expect(planDays('2026-01-15', '2026-04-10', false)).toEqual({ months: null, days: [['2026-01-15', '2026-04-10']] });
    expect(planDays('2026-01-15', '2026-01-15', true)).toEqual({ months: null, days: [] });
  });

  it('rounds to month starts across a year end', () => {
    expect(monthStart('2025-12-02', true)).toBe('2026-01-01');
    expect(monthStart('2025-12-02', false)).toBe('2025-12-01');
    expect(monthStart('2026-03-01', true)).toBe('2026-03-01');
  });
});
