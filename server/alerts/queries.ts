import type pg from 'pg';
import {
  buildSpikeCells,
  detectEmergencyClusters,
  detectOverdueCritical,
  detectOverdueOutages,
  detectSpikes,
  rankAlerts,
  type EmergencyPoint,
  type HourCount,
  type OverdueGroup,
} from './detect.ts';
import type { AlertSnapshot } from '../contract/alerts.ts';
import { overdueOutages } from '../outages/queries.ts';

/** How many previous weeks give the usual count of an hour. */
export const BASELINE_WEEKS = 8;
/** Emergency appeals this recent (hours) can form a cluster. */
export const CLUSTER_WINDOW_HOURS = 3;

export type { AlertSnapshot } from '../contract/alerts.ts';

// Each category's depth-1 ancestor (categories are a few hundred rows).
const TOP_CATEGORIES = `
  top AS (
    SELECT id, id AS cat1 FROM categories WHERE depth = 1
    UNION ALL
    SELECT c.id, top.cat1 FROM categories c JOIN top ON c.parent_id = top.id
  )`;

/**
 * Appeals per sphere, depth-1 category and district in the last hour before `now` (week 0) and
 * in the same hour 1..BASELINE_WEEKS weeks earlier: one short range scan of the created_at
 * index per window, whatever the size of the history. The windows are spelled out (rather
 * than generated in SQL) so that the planner sees each range and estimates a handful of rows.
 * Parameters: window k runs from $(2k+1) (exclusive) to $(2k+2) (inclusive).
 */
const HOUR_COUNTS = `
WITH RECURSIVE ${TOP_CATEGORIES},
hits AS (
${Array.from(
  { length: BASELINE_WEEKS + 1 },
  (_, k) =>
    `  SELECT ${k} AS k, category_id, district_id, created_at FROM incidents WHERE created_at > $${2 * k + 1}::timestamptz AND created_at <= $${2 * k + 2}::timestamptz`,
).join('\n  UNION ALL\n')}
)
SELECT h.k AS week, s.code AS sphere, c1.code AS category1, d.code AS district, count(*)::int AS count,
       min(h.created_at) AS first, s.emergency AS sphere_emergency, coalesce(c1.emergency, false) AS category_emergency
  FROM hits h
  JOIN categories c ON c.id = h.category_id
  JOIN categories s ON s.id = c.sphere_id
  LEFT JOIN top ON top.id = c.id
  LEFT JOIN categories c1 ON c1.id = top.cat1
  LEFT JOIN districts d ON d.id = h.district_id
 GROUP BY h.k, s.code, s.emergency, c1.code, c1.emergency, d.code`;

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

/** The parameters of HOUR_COUNTS at `now`. */
function hourWindows(now: Date): string[] {
  const out: string[] = [];
  for (let k = 0; k <= BASELINE_WEEKS; k++) {
    const end = now.getTime() - k * WEEK_MS;
    out.push(new Date(end - HOUR_MS).toISOString(), new Date(end).toISOString());
  }
  return out;
}

/** Emergency appeals of the last few hours (not rejected), with their place. */
const EMERGENCY_POINTS = `
WITH RECURSIVE ${TOP_CATEGORIES}
SELECT i.id, c.code AS category, c1.code AS category1, s.code AS sphere, d.code AS district,
       ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat, i.created_at
  FROM incidents i
  JOIN categories c ON c.id = i.category_id AND c.emergency
  JOIN categories s ON s.id = c.sphere_id
  LEFT JOIN top ON top.id = c.id
  LEFT JOIN categories c1 ON c1.id = top.cat1
  LEFT JOIN districts d ON d.id = i.district_id
 WHERE i.created_at > $1::timestamptz - make_interval(hours => $2::int) AND i.created_at <= $1::timestamptz
   AND i.status <> 'rejected'
 ORDER BY i.id
 LIMIT 2000`;

/** Open priority-1 appeals past their deadline (the open-due partial index), per category and district. */
const OVERDUE_CRITICAL = `
WITH RECURSIVE ${TOP_CATEGORIES}
SELECT c.code AS category, c1.code AS category1, s.code AS sphere, d.code AS district, count(*)::int AS count,
       min(i.due_at) AS oldest_due
  FROM incidents i
  JOIN categories c ON c.id = i.category_id
  JOIN categories s ON s.id = c.sphere_id
  LEFT JOIN top ON top.id = c.id
  LEFT JOIN categories c1 ON c1.id = top.cat1
  LEFT JOIN districts d ON d.id = i.district_id
 WHERE i.is_open AND i.due_at < $1::timestamptz AND i.priority = 1
   AND i.status IN ('new', 'assigned', 'in_progress', 'reopened')
 GROUP BY c.code, c1.code, s.code, d.code`;

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** How many of the previous `weeks` weeks the history covers at `now`. */
async function coveredWeeks(pool: pg.Pool, now: Date, weeks: number): Promise<number> {
  const { rows } = await pool.query<{ first: Date | null }>('SELECT min(created_at) AS first FROM incidents');
  const first = rows[0].first?.getTime();
  if (first === undefined) return 0;
  let n = 0;
  while (n < weeks && now.getTime() - (n + 1) * WEEK_MS - HOUR_MS >= first) n++;
  return n;
}

/** The city's alerts at `now` (by default the present). */
export async function computeAlerts(pool: pg.Pool, now = new Date()): Promise<AlertSnapshot> {
  const at = now.toISOString();
  const [weeks, hours, points, overdue, outages] = await Promise.all([
    coveredWeeks(pool, now, BASELINE_WEEKS),
    pool.query(HOUR_COUNTS, hourWindows(now)),
    pool.query(EMERGENCY_POINTS, [at, CLUSTER_WINDOW_HOURS]),
    pool.query(OVERDUE_CRITICAL, [at]),
    overdueOutages(pool, now),
  ]);
  const counts: HourCount[] = hours.rows.map((r) => ({
    week: r.week,
    sphere: r.sphere,
    category1: r.category1,
    district: r.district,
    count: r.count,
    first: iso(r.first),
    sphereEmergency: r.sphere_emergency,
    categoryEmergency: r.category_emergency,
  }));
  const emergency: EmergencyPoint[] = points.rows.map((r) => ({
    id: Number(r.id),
    category: r.category,
    category1: r.category1,
    sphere: r.sphere,
    district: r.district,
    lng: r.lng,
    lat: r.lat,
    created_at: iso(r.created_at),
  }));
  const groups: OverdueGroup[] = overdue.rows.map((r) => ({
    category: r.category,
    category1: r.category1,
    sphere: r.sphere,
    district: r.district,
    count: r.count,
    oldestDue: iso(r.oldest_due),
  }));
  return {
    generatedAt: at,
    items: rankAlerts([
      ...detectEmergencyClusters(emergency),
      ...detectSpikes(buildSpikeCells(counts, weeks)),
      ...detectOverdueCritical(groups),
      ...detectOverdueOutages(
        outages.map((o) => ({
          id: o.id,
          kind: o.kind,
          services: o.services,
          district: o.district,
          callCount: o.call_count,
          expectedEnd: iso(o.expected_end_at),
        })),
      ),
    ]),
  };
}
