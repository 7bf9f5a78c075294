import { describe, expect, it } from 'vitest';
import { classBreaks, classColors, naturalBreaks, niceFloor } from '../../client/src/map/choropleth.ts';
import { incidentTilesUrl, parseMix } from '../../client/src/map/incident-tiles.ts';
import { addDays, cityToday, periodRange } from '../../client/src/lib/period.ts';
import { parseRoute } from '../../client/src/lib/routes.ts';

describe('choropleth classes', () => {
  it('natural breaks separate clear groups', () => {
    expect(naturalBreaks([1, 2, 3, 10, 11, 12, 30, 31], 3)).toEqual([10, 30]);
  });

  it('breaks are ascending plain numbers inside the data range, with one colour more than breaks', () => {
    const values = [44, 36, 60, 53, 11, 50, 67, 44, 39, 48, 49, 46];
    const b = classBreaks(values);
    expect(b.length).toBeGreaterThan(1);
    expect(b.length).toBeLessThanOrEqual(4);
    expect([...b].sort((x, y) => x - y)).toEqual(b);
    for (const x of b) expect(x).toBeGreaterThan(11);
    expect(classColors(b)).toHaveLength(b.length + 1);
  });

  it('few distinct values give few classes, equal values none', () => {
    expect(classBreaks([5, 5, 5])).toEqual([]);
    expect(classBreaks([1, 1, 1, 2])).toEqual([2]);
    expect(classColors([])).toHaveLength(1);
  });

  it('rounds down to two significant digits', () => {
    expect(niceFloor(1234)).toBe(1200);
    expect(niceFloor(9.75)).toBe(9.7);
    expect(niceFloor(47)).toBe(47);
  });

  it('does not mutate its input', () => {
    const v = [3, 1, 2, 10];
    classBreaks(v);
    expect(v).toEqual([3, 1, 2, 10]);
  });
});

describe('incident tiles', () => {
  it('put the filters and the data version in the tile URL', () => {
    expect(incidentTilesUrl('http://x', 'status=open,overdue&category=heating', 3)).toBe(
      'http://x/tiles/incidents/{z}/{x}/{y}.mvt?status=open,overdue&category=heating&v=3',
    );
  });
  it("read a cell's sphere mix, skipping junk", () => {
    expect(parseMix('heating:3,roads:1')).toEqual({ heating: 3, roads: 1 });
    expect(parseMix('a:x,:2,b:0,c:2')).toEqual({ c: 2 });
    expect(parseMix(undefined)).toEqual({});
  });
});

describe('periods in the city calendar', () => {
  // 2026-03-01 21:30 UTC is already 2 March in Taraz (UTC+5)
  const now = new Date('2026-03-01T21:30:00Z');
  it("take today from the city's time zone, not the browser's", () => {
    expect(cityToday('Asia/Almaty', now)).toBe('2026-03-02');
    expect(cityToday('UTC', now)).toBe('2026-03-01');
  });
  it('give whole days, `to` exclusive', () => {
    expect(periodRange('today', 'Asia/Almaty', {}, now)).toEqual({ from: '2026-03-02', to: '2026-03-03' });
    expect(periodRange('7d', 'Asia/Almaty', {}, now)).toEqual({ from: '2026-02-24', to: '2026-03-03' });
    expect(periodRange('all', 'Asia/Almaty', {}, now)).toBeNull();
    expect(periodRange('custom', 'Asia/Almaty', { from: '2026-01-01', to: '2026-01-31' }, now)).toEqual({
      from: '2026-01-01',
      to: '2026-02-01',
    });
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
});

describe('routes', () => {
  it('know the control room, a district and an incident; nothing else', () => {
    expect(parseRoute('/')).toEqual({ name: 'city' });
    expect(parseRoute('/districts/ortalyk')).toEqual({ name: 'district', code: 'ortalyk' });
    expect(parseRoute('/districts/ortalyk/')).toEqual({ name: 'district', code: 'ortalyk' });
    expect(parseRoute('/incidents/42')).toEqual({ name: 'incident', id: 42 });
    expect(parseRoute('/nope')).toBeNull();
    expect(parseRoute('/districts/<script>')).toBeNull();
  });
});
