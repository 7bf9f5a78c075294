/**
 * The pure statistics of hot spot analysis against small examples worked by hand. Where a
 * number is irrational it is written as the exact expression it comes from; the p-values were
 * checked against an independent erfc (Python's math.erfc, to 1e-15).
 */
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, classify } from '../../server/hotspots/fdr.ts';
import { countSkewness, erfc, giStar, neighboursWithin, normalCdf, skewCorrected, twoSidedP } from '../../server/hotspots/gistar.ts';
import { cellsInRings, hexCentre, hexSizeForSpacing } from '../../server/hotspots/hexgrid.ts';
import { emergingTrend, mannKendall } from '../../server/hotspots/trend.ts';

describe('neighboursWithin', () => {
  it('finds the cells within the band, the cell itself included', () => {
    const line = [0, 100, 200, 300, 400].map((x) => ({ x, y: 0 }));
    expect(neighboursWithin(line, 100).map((a) => Array.from(a))).toEqual([
      [0, 1],
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4],
    ]);
    expect(neighboursWithin(line, 99).map((a) => Array.from(a))).toEqual([[0], [1], [2], [3], [4]]);
  });

  it('gives 6 neighbours at one spacing and 18 at two on a hexagon grid (rings at exactly 2 × spacing included)', () => {
    const spacing = 400;
    const size = hexSizeForSpacing(spacing);
    const cells = [];
    for (let i = -6; i <= 6; i++) for (let j = -6; j <= 6; j++) cells.push({ i, j, ...hexCentre(i, j, size) });
    const centre = cells.findIndex((c) => c.i === 0 && c.j === 0);
    expect(neighboursWithin(cells, spacing)[centre].length).toBe(cellsInRings(1));
    expect(neighboursWithin(cells, 2 * spacing)[centre].length).toBe(cellsInRings(2));
    expect(neighboursWithin(cells, 3 * spacing)[centre].length).toBe(cellsInRings(3));
  });

  it('does not mutate its input', () => {
    const pts = [
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ];
    const copy = structuredClone(pts);
    neighboursWithin(pts, 10);
    expect(pts).toEqual(copy);
  });
});

describe('giStar', () => {
  it('matches a five-cell line computed by hand', () => {
    // Cells at x = 0, 100, 200, 300, 400 m, band 100 m, values 1, 2, 3, 4, 10.
    // n = 5, Σx = 20, X̄ = 4, Σx² = 130, S² = 130/5 − 4² = 10.
    // Ends: W = 2, spread (n W − W²)/(n − 1) = (10 − 4)/4 = 1.5; inner: W = 3, (15 − 9)/4 = 1.5.
    // So every denominator is S √1.5 = √15, and the numerators Σ_N x − X̄ W are:
    //   cell 0: (1+2) − 8 = −5;  cell 1: (1+2+3) − 12 = −6;  cell 2: (2+3+4) − 12 = −3;
    //   cell 3: (3+4+10) − 12 = 5;  cell 4: (4+10) − 8 = 6.
    const line = [0, 100, 200, 300, 400].map((x) => ({ x, y: 0 }));
    const z = giStar([1, 2, 3, 4, 10], neighboursWithin(line, 100));
    const r15 = Math.sqrt(15);
    expect(Array.from(z)).toEqual([-5 / r15, -6 / r15, -3 / r15, 5 / r15, 6 / r15].map((v) => expect.closeTo(v, 12)));
  });

  it('matches a seven-cell hexagon flower computed by hand', () => {
    // A centre with 10 appeals and its six neighbours with none; band = spacing.
    // n = 7, Σx = 10, X̄ = 10/7, Σx² = 100, S² = 100/7 − 100/49 = 600/49.
    // Centre: W = 7 = n, so (n W − W²) = 0: nothing to compare with, z = 0.
    // Each outer cell sees the centre, its two outer neighbours and itself: W = 4,
    //   numerator 10 − 4 · 10/7 = 30/7, spread (28 − 16)/6 = 2, denominator (√600/7) √2 = √1200/7,
    //   z = 30/√1200 = √3/2.
    const size = hexSizeForSpacing(400);
    const cells = [
      [0, 0],
      [1, 0],
      [1, -1],
      [0, 1],
      [0, -1],
      [-1, 0],
      [-1, -1],
    ].map(([i, j]) => hexCentre(i, j, size));
    const nb = neighboursWithin(cells, 400);
    expect(nb.map((a) => a.length)).toEqual([7, 4, 4, 4, 4, 4, 4]);
    const z = giStar([10, 0, 0, 0, 0, 0, 0], nb);
    expect(z[0]).toBe(0);
    for (let i = 1; i < 7; i++) expect(z[i]).toBeCloseTo(Math.sqrt(3) / 2, 12);
  });

  it('gives 0 everywhere when every cell has the same value', () => {
    const line = [0, 1, 2, 3].map((x) => ({ x, y: 0 }));
    expect(Array.from(giStar([3, 3, 3, 3], neighboursWithin(line, 1)))).toEqual([0, 0, 0, 0]);
  });
});

describe('normal distribution', () => {
  it('agrees with reference values of erfc and Φ', () => {
    // erfc(0) = 1, erfc(1) = 0.157299207050285, erfc(3) = 2.20904969985854e-5, erfc(6) = 2.15197367124989e-17
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1) / 0.157299207050285).toBeCloseTo(1, 6);
    expect(erfc(3) / 2.20904969985854e-5).toBeCloseTo(1, 6);
    expect(erfc(6) / 2.15197367124989e-17).toBeCloseTo(1, 6);
    expect(erfc(-1)).toBeCloseTo(2 - 0.157299207050285, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(twoSidedP(2.5758293035489)).toBeCloseTo(0.01, 7);
    expect(twoSidedP(-1.6448536269514722)).toBeCloseTo(0.1, 7);
  });

  it('gives the p-values of the five-cell line', () => {
    const r15 = Math.sqrt(15);
    expect(twoSidedP(6 / r15)).toBeCloseTo(0.12133525035848217, 7);
    expect(twoSidedP(-5 / r15)).toBeCloseTo(0.19670560245894692, 7);
    expect(twoSidedP(3 / r15)).toBeCloseTo(0.4385780260809999, 7);
  });
});

describe('benjaminiHochberg', () => {
  it('adjusts the textbook ten p-values', () => {
    // Sorted p with m = 10; m p_(k) / k, then the running minimum from the largest k down:
    //  k:   1      2      3       4       5      6     7        8        9        10
    //  p: .001   .008   .039    .041    .042   .060  .074     .205     .212     .216
    //  mp/k .010 .040   .130    .1025   .084   .100  .10571   .25625   .23556   .216
    //  adj  .010 .040   .084    .084    .084   .100  .10571   .216     .216     .216
    const p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];
    const expected = [0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.074 * (10 / 7), 0.216, 0.216, 0.216];
    const shuffled = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
    const adj = benjaminiHochberg(shuffled.map((i) => p[i]));
    shuffled.forEach((i, k) => expect(adj[k]).toBeCloseTo(expected[i], 12));
  });

  it('adjusts the five-cell line: nothing is significant', () => {
    // p sorted: .12134 (cells 1, 4), .19671 (cells 0, 3), .43858 (cell 2); m = 5.
    // m p / k: .60668, .30334, .32784, .24588, .43858 → running minimum .24588 for the first four.
    const r15 = Math.sqrt(15);
    const p = [-5, -6, -3, 5, 6].map((v) => twoSidedP(v / r15));
    const adj = benjaminiHochberg(p);
    const q4 = (0.19670560245894692 * 5) / 4;
    expect(Array.from(adj)).toEqual([q4, q4, 0.4385780260809999, q4, q4].map((v) => expect.closeTo(v, 7)));
    expect([-5, -6, -3, 5, 6].map((v, i) => classify(v, adj[i]))).toEqual(['ns', 'ns', 'ns', 'ns', 'ns']);
  });

  it('leaves NaN out of the count', () => {
    const adj = benjaminiHochberg([0.01, Number.NaN, 0.04]);
    expect(adj[0]).toBeCloseTo(0.02, 12);
    expect(adj[1]).toBeNaN();
    expect(adj[2]).toBeCloseTo(0.04, 12);
  });

  it('classifies by sign and adjusted p', () => {
    expect(classify(3, 0.004)).toBe('hot99');
    expect(classify(3, 0.01)).toBe('hot99');
    expect(classify(2.2, 0.03)).toBe('hot95');
    expect(classify(1.9, 0.09)).toBe('hot90');
    expect(classify(-3, 0.001)).toBe('cold99');
    expect(classify(-2, 0.05)).toBe('cold95');
    expect(classify(-2, 0.1)).toBe('cold90');
    expect(classify(2, 0.11)).toBe('ns');
    expect(classify(0, 0)).toBe('ns');
  });
});

describe('mannKendall', () => {
  it('matches a series with a tie computed by hand', () => {
    // 1, 2, 2, 4, 3: of the 10 pairs, 8 rise, 1 falls (4 → 3), 1 is tied (2, 2): S = 7.
    // Var(S) = [5·4·15 − 2·1·9] / 18 = 282/18; Z = (7 − 1)/√(282/18) = 1.5158734579197342.
    const r = mannKendall([1, 2, 2, 4, 3]);
    expect(r.s).toBe(7);
    expect(r.variance).toBeCloseTo(282 / 18, 12);
    expect(r.z).toBeCloseTo(1.5158734579197342, 12);
    expect(r.p).toBeCloseTo(0.1295513529044089, 7);
    expect(r.tau).toBeCloseTo(0.7, 12);
  });

  it('matches a strictly rising series', () => {
    // 5 values, all rising: S = 10, Var = 5·4·15/18 = 300/18, Z = 9/√(300/18), p = 0.027486.
    const r = mannKendall([0.1, 0.5, 0.9, 2, 7]);
    expect(r.s).toBe(10);
    expect(r.z).toBeCloseTo(9 / Math.sqrt(300 / 18), 12);
    expect(r.p).toBeCloseTo(0.027486336111510353, 7);
    expect(r.tau).toBe(1);
    expect(mannKendall([7, 2, 0.9, 0.5, 0.1]).z).toBeCloseTo(-9 / Math.sqrt(300 / 18), 12);
  });

  it('finds no trend in flat or short series', () => {
    expect(mannKendall([2, 2, 2, 2])).toMatchObject({ s: 0, z: 0, p: 1 });
    expect(mannKendall([1, 2])).toMatchObject({ z: 0, p: 1 });
  });
});

describe('emergingTrend', () => {
  const T = true;
  const F = false;
  it('applies the rules in order', () => {
    // significant only in the final slice
    expect(emergingTrend({ direction: 1, sliceIntensity: [0.1, 0.3, 0.2, 4], sliceSignificant: [F, F, F, T] })).toBe('new');
    // four rising slices: S = 6, Var = 4·3·13/18, Z = 5/√(156/18) = 1.698, p = 0.0894 ≤ 0.10
    expect(emergingTrend({ direction: 1, sliceIntensity: [1, 2, 3, 4], sliceSignificant: [F, T, F, T] })).toBe('intensifying');
    expect(emergingTrend({ direction: 1, sliceIntensity: [4, 3, 2, 1], sliceSignificant: [T, T, T, F] })).toBe('diminishing');
    expect(emergingTrend({ direction: 1, sliceIntensity: [4, 3.5, 4.2, 3.9], sliceSignificant: [T, T, T, T] })).toBe('persistent');
    expect(emergingTrend({ direction: 1, sliceIntensity: [3, 0.5, 3.5, 0.4], sliceSignificant: [T, F, T, F] })).toBe('sporadic');
    expect(emergingTrend({ direction: 1, sliceIntensity: [1, 1.2, 0.9, 1.1], sliceSignificant: [F, F, F, F] })).toBe('sporadic');
  });

  it('orients cold spots: colder and colder is intensifying', () => {
    expect(emergingTrend({ direction: -1, sliceIntensity: [-1, -2, -3, -4], sliceSignificant: [F, T, T, T] })).toBe('intensifying');
    expect(emergingTrend({ direction: -1, sliceIntensity: [-4, -3, -2, -1], sliceSignificant: [T, T, T, F] })).toBe('diminishing');
  });

  it('gives no trend with fewer than four slices', () => {
    expect(emergingTrend({ direction: 1, sliceIntensity: [1, 2, 3], sliceSignificant: [T, T, T] })).toBeNull();
  });
});

describe('countSkewness and skewCorrected', () => {
  it('give the skewness of a binomial count', () => {
    // 100 appeals, a neighbourhood of 1 of 4 cells: Binomial(100, 0.25), variance 18.75,
    // skewness (1 − 0.5)/√18.75.
    expect(countSkewness(100, 1, 4)).toBeCloseTo(0.5 / Math.sqrt(18.75), 12);
    expect(countSkewness(100, 2, 4)).toBe(0);
    expect(skewCorrected(2.5, 0)).toBe(2.5);
    // To first order, the Cornish–Fisher correction z − γ (z² − 1)/6.
    expect(skewCorrected(2, 0.01)).toBeCloseTo(2 - (0.01 * 3) / 6, 4);
  });

  it('bring the normal tail of a skewed count close to the exact binomial tail', () => {
    // 2,000 appeals on 900 cells, a neighbourhood of 7: Binomial(2000, 7/900), mean 15.56.
    // Exact P(X ≥ 30) by summing the probability mass; compare with the plain normal tail.
    const n = 2000;
    const p = 7 / 900;
    const logPmf = (k: number) => {
      let lg = 0;
      for (let i = 1; i <= k; i++) lg += Math.log((n - k + i) / i);
      return lg + k * Math.log(p) + (n - k) * Math.log(1 - p);
    };
    let exact = 0;
    for (let k = 30; k <= 200; k++) exact += Math.exp(logPmf(k));
    const z = (29.5 - n * p) / Math.sqrt(n * p * (1 - p));
    const plain = 1 - normalCdf(z);
    const corrected = 1 - normalCdf(skewCorrected(z, countSkewness(n, 7, 900)));
    expect(Math.abs(Math.log(corrected / exact))).toBeLessThan(0.15);
    expect(plain / exact).toBeLessThan(0.5); // the plain normal tail is less than half the truth
  });
});
