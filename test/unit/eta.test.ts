import { describe, expect, it } from 'vitest';
import { etaOf, expectedHours, quantileAt } from '../../server/lifecycle/eta.ts';
import { LEVELS, summaryKey } from '../../server/lifecycle/risk.ts';

// Hours to resolve spread evenly over 0–100 h: quantile at level p is 100·p.
const uniform = LEVELS.map((p) => 100 * p);

describe('ETA from the duration quantiles', () => {
  it('reads quantiles between the levels', () => {
    expect(quantileAt(uniform, 0.5)).toBeCloseTo(50, 9);
    expect(quantileAt(uniform, 0.37)).toBeCloseTo(37, 9);
    expect(quantileAt(uniform, 1)).toBe(100);
  });

  it('is the median at creation and the conditional median later', () => {
    expect(expectedHours(uniform, 0)).toBeCloseTo(50, 9);
    // open 50 h: half of what is left resolves by 75 h
    expect(expectedHours(uniform, 50)).toBeCloseTo(75, 9);
    expect(expectedHours(uniform, 90)).toBeCloseTo(95, 9);
    // older than every similar appeal: the history cannot say
    expect(expectedHours(uniform, 100)).toBeNull();
  });

  it('dates the ETA from creation and counts hours left from now', () => {
    const summary = new Map([[summaryKey.category(7), { n: 40, q: uniform }]]);
    const createdAt = new Date('2026-03-01T00:00:00Z');
    const eta = etaOf(summary, { categoryId: 7, districtId: 1, sphereId: 2, createdAt, now: new Date('2026-03-03T02:00:00Z') });
    // open 50 h → expected at 75 h
    expect(eta).toEqual({ at: '2026-03-04T03:00:00.000Z', hours_left: 25, basis: 'category', n: 40 });
    // too small a history: no ETA
    const thin = new Map([[summaryKey.category(7), { n: 5, q: uniform }]]);
    expect(etaOf(thin, { categoryId: 7, districtId: 1, sphereId: 2, createdAt, now: createdAt })).toBeNull();
  });
});
