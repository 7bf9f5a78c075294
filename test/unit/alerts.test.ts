/**
 * Alert detection as pure functions over small hand-made fixtures. Coordinates are [lng, lat]
 * in Taraz (about 71.38 E, 42.90 N), where 0.001° of longitude is about 81 m and 0.001° of
 * latitude about 111 m.
 */
import { describe, expect, it } from 'vitest';
import {
  buildSpikeCells,
  detectEmergencyClusters,
  detectOverdueCritical,
  detectSpikes,
  distanceM,
  expectedCount,
  poissonTail,
  rankAlerts,
  type Alert,
  type EmergencyPoint,
  type HourCount,
  type SpikeCell,
} from '../../server/alerts/detect.ts';

const cell = (over: Partial<SpikeCell>): SpikeCell => ({
  level: 'category',
  code: 'heating.no_heating',
  sphere: 'heating',
  district: 'talas',
  count: 0,
  first: '2026-01-15T09:05:00.000Z',
  history: [1, 0, 2, 1, 0, 1, 1, 2],
  ...over,
});

describe('poissonTail', () => {
  it('is 1 at zero, and matches closed forms', () => {
    expect(poissonTail(0, 3)).toBe(1);
    // P(X >= 1 | 2) = 1 - e^-2
    expect(poissonTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    // P(X >= 3 | 1) = 1 - e^-1 (1 + 1 + 1/2)
    expect(poissonTail(3, 1)).toBeCloseTo(1 - Math.exp(-1) * 2.5, 12);
    expect(poissonTail(5, 0)).toBe(0);
  });

  it('falls as the count rises', () => {
    const tails = [2, 4, 8, 16].map((k) => poissonTail(k, 2));
    for (let i = 1; i < tails.length; i++) expect(tails[i]).toBeLessThan(tails[i - 1]);
    expect(poissonTail(16, 2)).toBeLessThan(1e-7);
  });
});

describe('detectSpikes', () => {
  it('flags an hour far above the same hour of previous weeks, saying what, where, how many, since when', () => {
    const [alert, ...rest] = detectSpikes([cell({ count: 9 })]);
    expect(rest).toEqual([]);
    expect(alert).toEqual({
      id: 'spike:heating.no_heating:talas',
      kind: 'spike',
      severity: 'warning',
      category: 'heating.no_heating',
      sphere: 'heating',
      district: 'talas',
      count: 9,
      since: '2026-01-15T09:05:00.000Z',
      expected: 1,
    });
  });

  it('leaves ordinary hours, small counts and busy-as-usual hours alone', () => {
    expect(detectSpikes([cell({ count: 3 })])).toEqual([]); // under minCount
    expect(detectSpikes([cell({ count: 4, history: [] })])).toEqual([]); // young database, still under minCount
    expect(detectSpikes([cell({ count: 30, history: [25, 31, 28, 30, 27, 33, 29, 26] })])).toEqual([]); // a busy hour as always
    expect(detectSpikes([cell({ count: 12, history: [5, 5, 5, 5] })])).toEqual([]); // 2.4× the usual: under minRatio
  });

  it('marks spikes of emergency categories critical and keeps the options adjustable', () => {
    expect(detectSpikes([cell({ count: 9, emergency: true })])[0].severity).toBe('critical');
    expect(detectSpikes([cell({ count: 4 })], { minCount: 4 })).toEqual([]); // P(X ≥ 4 | 1) ≈ 0.019
    expect(detectSpikes([cell({ count: 4 })], { minCount: 4, maxP: 0.05 })).toHaveLength(1);
  });

  it('lets a category spike explain its sphere in the district, and district spikes the city-wide one', () => {
    const alerts = detectSpikes([
      cell({ count: 9 }),
      cell({ level: 'sphere', code: 'heating', count: 10, history: [1, 1, 1, 1] }),
      cell({ level: 'sphere', code: 'heating', district: null, count: 14, history: [2, 2, 2, 2] }),
      // another district: only its sphere spiked (the appeals are spread over categories)
      cell({ level: 'sphere', code: 'heating', district: 'asa', count: 8, history: [1, 0, 1, 0] }),
    ]);
    expect(alerts.map((a) => a.id).sort()).toEqual(['spike:heating.no_heating:talas', 'spike:heating:asa']);
  });

  it('does not change its input', () => {
    const input = [cell({ count: 9 })];
    const copy = structuredClone(input);
    detectSpikes(input);
    expect(input).toEqual(copy);
  });
});

describe('buildSpikeCells', () => {
  const row = (over: Partial<HourCount>): HourCount => ({
    week: 0,
    sphere: 'flooding',
    category1: 'flooding.street',
    district: 'talas',
    count: 1,
    first: '2026-01-15T09:00:00.000Z',
    sphereEmergency: true,
    categoryEmergency: true,
    ...over,
  });

  it('adds windows up into three levels, with a history per covered week', () => {
    const cells = buildSpikeCells(
      [
        row({ count: 4, first: '2026-01-15T09:20:00.000Z' }),
        row({ category1: 'flooding.houses', count: 2, first: '2026-01-15T09:10:00.000Z' }),
        row({ district: 'asa', count: 1 }),
        row({ week: 1, count: 1 }),
        row({ week: 3, count: 2 }),
        row({ week: 5, count: 9 }), // beyond the covered weeks: ignored
      ],
      4,
    );
    const get = (level: string, code: string, district: string | null) =>
      cells.find((c) => c.level === level && c.code === code && c.district === district);
    expect(get('category', 'flooding.street', 'talas')).toMatchObject({ count: 4, history: [1, 0, 2, 0], emergency: true });
    expect(get('sphere', 'flooding', 'talas')).toMatchObject({ count: 6, first: '2026-01-15T09:10:00.000Z', history: [1, 0, 2, 0] });
    expect(get('sphere', 'flooding', null)).toMatchObject({ count: 7 });
    expect(cells.every((c) => c.count > 0)).toBe(true);
  });

  it('puts appeals filed under a sphere itself, or outside every district, only where they belong', () => {
    const cells = buildSpikeCells([row({ category1: null, count: 2 }), row({ district: null, count: 3 })], 0);
    expect(cells.map((c) => `${c.level}:${c.code}:${c.district}:${c.count}`).sort()).toEqual([
      'sphere:flooding:null:5',
      'sphere:flooding:talas:2',
    ]);
  });

  it('gives the usual count as the mean of the history, at least the floor', () => {
    expect(expectedCount([2, 4, 0, 2], 0.5)).toBe(2);
    expect(expectedCount([], 0.5)).toBe(0.5);
    expect(expectedCount([0, 0], 0.5)).toBe(0.5);
  });
});

describe('detectEmergencyClusters', () => {
  const p = (id: number, lng: number, lat: number, over: Partial<EmergencyPoint> = {}): EmergencyPoint => ({
    id,
    category: 'manholes.open.sewer',
    category1: 'manholes.open',
    sphere: 'manholes',
    district: 'talas',
    lng,
    lat,
    created_at: `2026-01-15T09:${String(id).padStart(2, '0')}:00.000Z`,
    ...over,
  });

  it('finds appeals chained within the radius, with centre, radius, district and first time', () => {
    // three open manholes along a street ~250 m apart (a chain: the ends are 500 m apart)
    const points = [p(12, 71.38, 42.9), p(15, 71.383, 42.9), p(17, 71.386, 42.9, { district: 'asa' }), p(30, 71.45, 42.95)];
    const [alert, ...rest] = detectEmergencyClusters(points);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      id: 'cluster:manholes:12',
      kind: 'emergency_cluster',
      severity: 'critical',
      category: 'manholes.open.sewer',
      sphere: 'manholes',
      district: 'talas',
      count: 3,
      since: '2026-01-15T09:12:00.000Z',
    });
    expect(alert.center![0]).toBeCloseTo(71.383, 6);
    expect(alert.radiusM).toBeGreaterThanOrEqual(240);
    expect(alert.radiusM).toBeLessThan(300);
  });

  it('keeps spheres apart and names the narrowest common category', () => {
    const points = [
      p(1, 71.38, 42.9),
      p(2, 71.3805, 42.9, { category: 'manholes.open.water' }),
      p(3, 71.381, 42.9, { category: 'manholes.open.storm' }),
      // flooding at the same place does not join the manholes
      p(4, 71.38, 42.9001, { sphere: 'flooding', category: 'flooding.houses', category1: 'flooding.houses' }),
      p(5, 71.3802, 42.9001, { sphere: 'flooding', category: 'flooding.street.melt_water', category1: 'flooding.street' }),
    ];
    const alerts = detectEmergencyClusters(points);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].category).toBe('manholes.open');
    expect(detectEmergencyClusters(points, { minPoints: 2 }).find((a) => a.sphere === 'flooding')!.category).toBe('flooding');
  });

  it('needs enough appeals close enough', () => {
    expect(detectEmergencyClusters([p(1, 71.38, 42.9), p(2, 71.39, 42.9), p(3, 71.4, 42.9)])).toEqual([]);
    expect(detectEmergencyClusters([])).toEqual([]);
  });

  it('measures distances in metres', () => {
    expect(distanceM([71.38, 42.9], [71.38, 42.901])).toBeCloseTo(111.2, 0);
    expect(distanceM([71.38, 42.9], [71.381, 42.9])).toBeCloseTo(81.5, 0);
  });
});

describe('detectOverdueCritical', () => {
  it('groups overdue critical appeals per sphere and district, since the oldest missed deadline', () => {
    const alerts = detectOverdueCritical([
      {
        category: 'heating.no_heating.building',
        category1: 'heating.no_heating',
        sphere: 'heating',
        district: 'talas',
        count: 2,
        oldestDue: '2026-01-14T08:00:00.000Z',
      },
      {
        category: 'heating.pipe_burst',
        category1: 'heating.pipe_burst',
        sphere: 'heating',
        district: 'talas',
        count: 1,
        oldestDue: '2026-01-13T20:00:00.000Z',
      },
      {
        category: 'lifts.stuck',
        category1: 'lifts.stuck',
        sphere: 'lifts',
        district: 'asa',
        count: 1,
        oldestDue: '2026-01-15T01:00:00.000Z',
      },
    ]);
    expect(alerts).toEqual([
      {
        id: 'overdue:heating:talas',
        kind: 'overdue_critical',
        severity: 'critical',
        category: 'heating',
        sphere: 'heating',
        district: 'talas',
        count: 3,
        since: '2026-01-13T20:00:00.000Z',
      },
      {
        id: 'overdue:lifts:asa',
        kind: 'overdue_critical',
        severity: 'critical',
        category: 'lifts.stuck',
        sphere: 'lifts',
        district: 'asa',
        count: 1,
        since: '2026-01-15T01:00:00.000Z',
      },
    ]);
  });
});

describe('rankAlerts', () => {
  const a = (id: string, kind: Alert['kind'], severity: Alert['severity'], since: string): Alert => ({
    id,
    kind,
    severity,
    category: 'x',
    sphere: 'x',
    district: null,
    count: 1,
    since,
  });

  it('puts critical first, then clusters, spikes and overdue appeals, newest first, up to a limit', () => {
    const ranked = rankAlerts([
      a('o1', 'overdue_critical', 'critical', '2026-01-10T00:00:00.000Z'),
      a('s1', 'spike', 'warning', '2026-01-15T09:00:00.000Z'),
      a('c1', 'emergency_cluster', 'critical', '2026-01-15T08:00:00.000Z'),
      a('s2', 'spike', 'critical', '2026-01-15T07:00:00.000Z'),
      a('o2', 'overdue_critical', 'critical', '2026-01-12T00:00:00.000Z'),
    ]);
    expect(ranked.map((x) => x.id)).toEqual(['c1', 's2', 'o2', 'o1', 's1']);
    expect(rankAlerts(ranked, 2).map((x) => x.id)).toEqual(['c1', 's2']);
  });
});
