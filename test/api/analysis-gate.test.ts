/**
 * Issue 15: a flood of distinct, valid hotspot analyses (each hundreds of milliseconds of CPU)
 * must not take both cores. One runs at a time and 16 wait; the rest are refused at once with
 * 503 `analysis_busy` and Retry-After, never a 500, and what was computed is served from the cache.
 */
import { describe, expect, it } from 'vitest';
import { ANALYSIS_GATE_OPTIONS } from '../../server/hotspots/routes.ts';
import { recordProbe } from '../helpers/probes.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();

describe('costly public analyses under a flood', () => {
  it('run one at a time with a bounded queue; the rest are told to come back', { timeout: 120_000 }, async () => {
    const n = 40;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        Promise.resolve(t.request(`/api/hotspots?cell=${1000 + i * 10}`)).then(async (r: Response) => ({ r, body: await r.json() })),
      ),
    );
    const ok = answers.filter((a) => a.r.status === 200);
    const busy = answers.filter((a) => a.r.status === 503);
    recordProbe({
      file: 'analysis-gate.test.ts',
      probe: 'distinct valid hotspot analyses at once',
      tried: n,
      fiveXX: n - ok.length - busy.length,
      leaks: 0,
      lost: 0,
    });
    expect(ok.length + busy.length).toBe(n);
    // At most one running and 16 waiting when the flood arrived: the others were refused at once.
    expect(busy.length).toBeGreaterThanOrEqual(n - 1 - ANALYSIS_GATE_OPTIONS.queue - 2);
    for (const { r, body } of busy) {
      expect(body.error.code).toBe('analysis_busy');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // A computed answer is served again without waiting for the gate.
    const again = await t.request(`/api/hotspots?cell=${1000 + answers.indexOf(ok[0]) * 10}`);
    expect(again.status).toBe(200);
  });

  it('keep a slot for signed-in staff: a public flood does not hold the officials back', { timeout: 120_000 }, async () => {
    const cookie = await t.login('official');
    const flood = Array.from({ length: 20 }, (_, i) => Promise.resolve(t.request(`/api/hotspots?cell=${3000 + i * 10}`)));
    const staff = await t.request('/api/hotspots?cell=2990', { headers: { cookie } });
    expect(staff.status).toBe(200);
    const refused = (await Promise.all(flood)).filter((r) => r.status === 503);
    // the flood was still bounded while the official's analysis ran beside it
    expect(refused.length).toBeGreaterThanOrEqual(20 - 1 - ANALYSIS_GATE_OPTIONS.queue);
  });
});
