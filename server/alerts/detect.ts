/**
 * Alerts for the control room, as pure functions over small inputs (the counts and points that
 * server/alerts/queries.ts reads). Three kinds:
 *
 * - `spike`: more appeals in the last hour than this hour of the week usually brings, per
 *   category (or sphere) and district, and per sphere city-wide;
 * - `emergency_cluster`: several appeals of emergency categories (flooding, open manholes, no
 *   heating...) close to each other within a few hours;
 * - `overdue_critical`: open priority-1 appeals past their deadline;
 * - `outage_overdue`: an outage or planned works past its expected end with no actual end.
 *
 * Every alert says what (`category`, a category or sphere code), where (`district`, or null
 * for the whole city), how many (`count`) and since when (`since`, ISO 8601 UTC).
 */

import type { Alert, AlertKind } from '../contract/alerts.ts';

export type { Alert, AlertKind } from '../contract/alerts.ts';

/** The appeals of one group in the last hour, and in the same hour of each previous week. */
export interface SpikeCell {
  level: 'category' | 'sphere';
  /** category (depth 1) or sphere code */
  code: string;
  sphere: string;
  /** null: the whole city */
  district: string | null;
  /** appeals in the last hour */
  count: number;
  /** the first of them (ISO) */
  first: string;
  /** counts in the same hour 1, 2, ... weeks ago: only weeks the database covers */
  history: number[];
  /** an emergency category (or a sphere that is one) */
  emergency?: boolean;
}

export interface SpikeOptions {
  /** Fewer appeals than this in the hour never make a spike, however quiet the hour usually is. */
  minCount: number;
  /** The hour must bring at least this many times the usual count. */
  minRatio: number;
  /** ...and be this unlikely under a Poisson law with the usual count as its mean. */
  maxP: number;
  /** The usual count is taken as at least this (appeals per hour): a quiet hour is not zero. */
  floor: number;
}

export const SPIKE_DEFAULTS: SpikeOptions = { minCount: 5, minRatio: 3, maxP: 0.001, floor: 0.5 };

/** P(X ≥ k) for X ~ Poisson(λ), summed in log space (k is at most a few hundred here). */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let term = -lambda; // log P(X = 0)
  let below = Math.exp(term);
  for (let i = 1; i < k; i++) {
    term += Math.log(lambda) - Math.log(i);
    below += Math.exp(term);
  }
  return Math.max(0, 1 - below);
}

/** The usual count of a cell: the mean of its history, at least `floor`. */
export function expectedCount(history: number[], floor: number): number {
  const mean = history.length ? history.reduce((a, b) => a + b, 0) / history.length : 0;
  return Math.max(mean, floor);
}

/**
 * Spikes among `cells`. A more specific alert hides a broader one it explains: a category's
 * spike in a district hides its sphere's spike in that district, and any district's spike of a
 * sphere hides that sphere's city-wide spike.
 */
export function detectSpikes(cells: readonly SpikeCell[], options: Partial<SpikeOptions> = {}): Alert[] {
  const o = { ...SPIKE_DEFAULTS, ...options };
  const hits = cells.filter((c) => {
    if (c.count < o.minCount) return false;
    const expected = expectedCount(c.history, o.floor);
    return c.count >= o.minRatio * expected && poissonTail(c.count, expected) <= o.maxP;
  });
  const categoryHits = new Set(hits.filter((c) => c.level === 'category').map((c) => `${c.sphere}|${c.district}`));
  const districtHits = new Set(hits.filter((c) => c.district !== null).map((c) => c.sphere));
  return hits
    .filter((c) => {
      if (c.level === 'category') return true;
      if (c.district === null) return !districtHits.has(c.sphere);
      return !categoryHits.has(`${c.sphere}|${c.district}`);
    })
    .map((c) => ({
      id: `spike:${c.code}:${c.district ?? 'city'}`,
      kind: 'spike' as const,
      severity: c.emergency ? ('critical' as const) : ('warning' as const),
      category: c.code,
      sphere: c.sphere,
      district: c.district,
      count: c.count,
      since: c.first,
      expected: Math.round(expectedCount(c.history, 0) * 10) / 10,
    }));
}

/** Appeal counts of one hour window, as the spike query returns them. */
export interface HourCount {
  /** 0: the last hour; k: the same hour k weeks earlier */
  week: number;
  sphere: string;
  /** depth-1 category, null for appeals filed under a sphere itself */
  category1: string | null;
  district: string | null;
  count: number;
  /** the first appeal of the window (ISO) */
  first: string;
  sphereEmergency: boolean;
  categoryEmergency: boolean;
}

/**
 * The spike cells of three levels (category × district, sphere × district, sphere × city) from
 * per-window counts; `weeks` is how many previous weeks the history covers (fewer on a young
 * database: weeks before its first appeal are not counted as quiet ones).
 */
export function buildSpikeCells(rows: readonly HourCount[], weeks: number): SpikeCell[] {
  const cells = new Map<string, SpikeCell>();
  const add = (level: SpikeCell['level'], code: string, district: string | null, r: HourCount, emergency: boolean) => {
    const key = `${level}|${code}|${district ?? ''}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { level, code, sphere: r.sphere, district, count: 0, first: '', history: new Array<number>(weeks).fill(0), emergency };
      cells.set(key, cell);
    }
    if (r.week === 0) {
      cell.count += r.count;
      if (!cell.first || r.first < cell.first) cell.first = r.first;
    } else if (r.week <= weeks) {
      cell.history[r.week - 1] += r.count;
    }
  };
  for (const r of rows) {
    if (r.district !== null) {
      if (r.category1) add('category', r.category1, r.district, r, r.categoryEmergency);
      add('sphere', r.sphere, r.district, r, r.sphereEmergency);
    }
    add('sphere', r.sphere, null, r, r.sphereEmergency);
  }
  return [...cells.values()].filter((c) => c.count > 0);
}

/** A recent appeal of an emergency category. */
export interface EmergencyPoint {
  id: number;
  /** the appeal's own category (any depth), its depth-1 category and its sphere */
  category: string;
  category1: string | null;
  sphere: string;
  district: string | null;
  lng: number;
  lat: number;
  created_at: string;
}

export interface ClusterOptions {
  /** Appeals closer than this (metres) belong to one cluster (single linkage). */
  radiusM: number;
  /** A cluster needs at least this many appeals. */
  minPoints: number;
}

export const CLUSTER_DEFAULTS: ClusterOptions = { radiusM: 500, minPoints: 3 };

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres between two [lng, lat] points in degrees. */
export function distanceM(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLng = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The most frequent value (ties: the first to reach the count, in input order). */
function mode<T>(values: T[]): T {
  const counts = new Map<T, number>();
  let best = values[0];
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > (counts.get(best) ?? 0)) best = v;
  }
  return best;
}

/** The narrowest code that names every item: one category, one depth-1 category, or the sphere. */
function commonCategory(items: { category: string; category1: string | null; sphere: string }[]): string {
  if (items.every((p) => p.category === items[0].category)) return items[0].category;
  if (items[0].category1 && items.every((p) => p.category1 === items[0].category1)) return items[0].category1;
  return items[0].sphere;
}

/**
 * Clusters of emergency appeals: within each sphere (flooding with flooding, manholes with
 * manholes), appeals chained by distances under `radiusM`; clusters of `minPoints` or more
 * become alerts placed in the district most of their appeals are in.
 */
export function detectEmergencyClusters(points: readonly EmergencyPoint[], options: Partial<ClusterOptions> = {}): Alert[] {
  const o = { ...CLUSTER_DEFAULTS, ...options };
  const bySphere = new Map<string, EmergencyPoint[]>();
  for (const p of points) bySphere.set(p.sphere, [...(bySphere.get(p.sphere) ?? []), p]);
  const alerts: Alert[] = [];
  for (const group of bySphere.values()) {
    // union-find over the pairs closer than the radius (groups are tens of points)
    const parent = group.map((_, i) => i);
    const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        if (distanceM([group[i].lng, group[i].lat], [group[j].lng, group[j].lat]) <= o.radiusM) parent[root(i)] = root(j);
      }
    }
    const clusters = new Map<number, EmergencyPoint[]>();
    group.forEach((p, i) => clusters.set(root(i), [...(clusters.get(root(i)) ?? []), p]));
    for (const members of clusters.values()) {
      if (members.length < o.minPoints) continue;
      const center: [number, number] = [
        round6(members.reduce((a, p) => a + p.lng, 0) / members.length),
        round6(members.reduce((a, p) => a + p.lat, 0) / members.length),
      ];
      const firstId = Math.min(...members.map((p) => p.id));
      alerts.push({
        id: `cluster:${members[0].sphere}:${firstId}`,
        kind: 'emergency_cluster',
        severity: 'critical',
        category: commonCategory(members),
        sphere: members[0].sphere,
        district: mode(members.map((p) => p.district)),
        count: members.length,
        since: members.map((p) => p.created_at).sort()[0],
        center,
        radiusM: Math.max(50, Math.ceil(Math.max(...members.map((p) => distanceM(center, [p.lng, p.lat]))) / 10) * 10),
      });
    }
  }
  return alerts;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Open priority-1 appeals past their deadline, counted per category and district. */
export interface OverdueGroup {
  category: string;
  category1: string | null;
  sphere: string;
  district: string | null;
  count: number;
  /** the earliest missed deadline (ISO) */
  oldestDue: string;
}

/** One alert per sphere and district with overdue critical appeals. */
export function detectOverdueCritical(groups: readonly OverdueGroup[]): Alert[] {
  const bucket = new Map<string, OverdueGroup[]>();
  for (const g of groups) {
    const key = `${g.sphere}|${g.district ?? ''}`;
    bucket.set(key, [...(bucket.get(key) ?? []), g]);
  }
  return [...bucket.values()].map((gs) => ({
    id: `overdue:${gs[0].sphere}:${gs[0].district ?? 'city'}`,
    kind: 'overdue_critical' as const,
    severity: 'critical' as const,
    category: commonCategory(gs),
    sphere: gs[0].sphere,
    district: gs[0].district,
    count: gs.reduce((a, g) => a + g.count, 0),
    since: gs.map((g) => g.oldestDue).sort()[0],
  }));
}

/** An outage still on past its expected end (server/outages). */
export interface OverdueOutage {
  id: number;
  kind: string;
  /** The outage's services' codes; the first names the alert's category. */
  services: string[];
  district: string | null;
  callCount: number;
  /** The missed expected end (ISO). */
  expectedEnd: string;
}

/** One alert per outage past its expected end: critical for an emergency outage, a warning for planned works. */
export function detectOverdueOutages(outages: readonly OverdueOutage[]): Alert[] {
  return outages.map((o) => ({
    id: `outage:${o.id}`,
    kind: 'outage_overdue' as const,
    severity: o.kind === 'emergency' ? ('critical' as const) : ('warning' as const),
    category: o.services[0] ?? '',
    sphere: o.services[0] ?? '',
    district: o.district,
    count: o.callCount,
    since: o.expectedEnd,
    outage: o.id,
  }));
}

const KIND_ORDER: Record<AlertKind, number> = { emergency_cluster: 0, spike: 1, overdue_critical: 2, outage_overdue: 3 };

/**
 * All alerts in the order a screen shows them: critical first, then clusters, spikes and
 * overdue appeals, the newest situations first, at most `limit`.
 */
export function rankAlerts(alerts: readonly Alert[], limit = 50): Alert[] {
  return [...alerts]
    .sort(
      (a, b) =>
        (a.severity === 'critical' ? 0 : 1) - (b.severity === 'critical' ? 0 : 1) ||
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        b.since.localeCompare(a.since) ||
        b.count - a.count ||
        a.id.localeCompare(b.id),
    )
    .slice(0, limit);
}
