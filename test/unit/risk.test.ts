import { describe, expect, it } from 'vitest';
import { deadlineRisk, LEVELS, pickSample, riskOf, summaryKey, survival, type DurationSample } from '../../server/lifecycle/risk.ts';

/** Quantiles at LEVELS of a uniform distribution on [a, b] hours: S(x) = (b − x) / (b − a). */
const uniform = (a: number, b: number) => LEVELS.map((p) => a + p * (b - a));
/** Exponential with mean m hours: S(x) = exp(−x/m); the 100 % quantile capped at 20 m. */
const exponential = (m: number) => LEVELS.map((p) => (p < 1 ? -m * Math.log(1 - p) : 20 * m));

describe('survival', () => {
  it('reads P(D > x) off the quantiles with linear interpolation', () => {
    const q = uniform(0, 100);
    expect(survival(q, -1)).toBe(1);
    expect(survival(q, 0)).toBeCloseTo(1, 10);
    expect(survival(q, 25)).toBeCloseTo(0.75, 10);
    expect(survival(q, 99.9)).toBeCloseTo(0.001, 10);
    expect(survival(q, 100)).toBe(0);
    expect(survival(q, 1e9)).toBe(0);
  });

  it('copes with ties (many appeals resolved in the same time)', () => {
    // Levels 0–48 % at 2 h, 50–100 % at 10 h: 48 % take at most 2 h; between 2 h and 10 h lies the 48–50 % step.
    const q = LEVELS.map((p) => (p < 0.5 ? 2 : 10));
    expect(survival(q, 1)).toBe(1);
    expect(survival(q, 2)).toBeCloseTo(0.52, 10);
    expect(survival(q, 6)).toBeCloseTo(0.51, 10);
    expect(survival(q, 10)).toBe(0);
    for (let x = 0; x < 12; x += 0.25) {
      const s = survival(q, x);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('never increases with x', () => {
    const q = exponential(30);
    let prev = 1;
    for (let x = 0; x < 800; x += 3.7) {
      const s = survival(q, x);
      expect(s).toBeLessThanOrEqual(prev + 1e-12);
      prev = s;
    }
  });
});

describe('deadlineRisk = P(D > allowed | D > elapsed)', () => {
  it('is S(allowed) at the start, and 1 once overdue', () => {
    const q = uniform(0, 100);
    expect(deadlineRisk(q, 0, 80)).toBeCloseTo(0.2, 10);
    expect(deadlineRisk(q, 80, 80)).toBe(1);
    expect(deadlineRisk(q, 90, 80)).toBe(1);
  });

  it('grows as the appeal stays open (uniform durations)', () => {
    const q = uniform(0, 100);
    // S(80)/S(50) = 0.2/0.5
    expect(deadlineRisk(q, 50, 80)).toBeCloseTo(0.4, 10);
    expect(deadlineRisk(q, 70, 80)).toBeCloseTo(0.2 / 0.3, 10);
  });

  it('does not change with time when durations are memoryless (exponential)', () => {
    const q = exponential(24);
    const a = deadlineRisk(q, 0, 24);
    const b = deadlineRisk(q, 12, 24);
    expect(a).toBeCloseTo(Math.exp(-1), 1);
    // S(24)/S(12) = e^(-1)/e^(-1/2) = e^(-1/2): the conditional is the risk of the remaining 12 h.
    expect(b).toBeCloseTo(Math.exp(-0.5), 1);
  });

  it('calls an appeal open longer than any similar one certain to be late', () => {
    expect(deadlineRisk(uniform(0, 10), 20, 100)).toBe(1);
  });
});

describe('pickSample and riskOf', () => {
  const big: DurationSample = { n: 200, q: uniform(0, 100) };
  const small: DurationSample = { n: 5, q: uniform(0, 1) };
  const a = { categoryId: 7, districtId: 2, sphereId: 1, elapsedH: 10, allowedH: 50 };

  it('prefers the category in the district, then the category, then the sphere, with enough history', () => {
    const all = new Map([
      [summaryKey.category_district(7, 2), { n: 40, q: uniform(0, 60) }],
      [summaryKey.category(7), big],
      [summaryKey.sphere(1), big],
    ]);
    expect(pickSample(all, a)?.basis).toBe('category_district');
    const thinCell = new Map([
      [summaryKey.category_district(7, 2), small],
      [summaryKey.category(7), big],
    ]);
    expect(pickSample(thinCell, a)?.basis).toBe('category');
    expect(pickSample(new Map([[summaryKey.sphere(1), { n: 10, q: big.q }]]), a)?.basis).toBe('sphere');
    expect(pickSample(new Map([[summaryKey.sphere(1), small]]), a)).toBeNull();
  });

  it('rounds to hundredths, reports its basis and sample size, and marks the overdue', () => {
    const summary = new Map([[summaryKey.category(7), big]]);
    expect(riskOf(summary, a)).toEqual({ p: Math.round((0.5 / 0.9) * 100) / 100, basis: 'category', n: 200 });
    expect(riskOf(summary, { ...a, elapsedH: 60 })).toEqual({ p: 1, basis: 'overdue', n: 0 });
    expect(riskOf(new Map(), a)).toBeNull();
  });
});
