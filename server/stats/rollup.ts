/**
 * Statistics over a period, grouped by a dimension, read from the rollups of migration 003
 * where they can answer and from the appeals themselves elsewhere:
 *
 * - whole city days inside the period: a rollup (monthly rows for full months, daily rows for
 *   the rest) — incident_channel_rollup when district and channel are all the query needs,
 *   else incident_rollup (district, sphere, service);
 * - the part-days at its edges (a period from 10:30, a period to now): the appeals, through
 *   the same incident_rollup_contrib() that feeds the rollup, so both count alike;
 * - filters the rollup has no dimension for (status, type, bbox, q): the appeals, for the
 *   whole period.
 *
 * `source: 'raw'` forces the second way for everything; tests check the two agree.
 */
import type pg from 'pg';
import { type Catalog, idsForCodes } from '../catalog.ts';
import { incidentConditions, type IncidentFilter, Where } from '../incidents/filters.ts';
import { BUCKETS } from './histogram.ts';
import { planDays } from './plan.ts';
import { overdueSql } from '../domain/statuses.ts';

/** A pool or a client (tests read inside one transaction). */
export type Queryable = Pick<pg.Pool, 'query'>;

export const COUNTERS = [
  'created',
  'st_new',
  'st_assigned',
  'st_in_progress',
  'st_resolved',
  'st_reopened',
  'st_closed',
  'st_rejected',
  'info_requests',
  'first_call',
  'first_call_info',
  'resolved',
  'resolved_on_time',
  'duration_s',
  'rating_sum',
  'ratings',
  'closed',
  'rejected',
  'reopened',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

export const zeroCounters = (): Counters => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;

/** What rows are grouped by; ids come back as decimal strings, dates as 'YYYY-MM-DD'. */
export type GroupBy = 'none' | 'district' | 'category' | 'sphere' | 'service' | 'channel' | 'day' | 'week' | 'month';

export interface PeriodQuery {
  /** Filters on the appeals; their `from` and `to` are ignored in favour of the period below. */
  filter: IncidentFilter;
  /** Start of the period (an instant or a city date); absent: the whole history. */
  from?: string;
  /** End of the period, exclusive; absent: up to now. */
  to?: string;
  groupBy: GroupBy;
  /** 'auto' (default) reads the rollup where it can; 'raw' counts the appeals for everything. */
  source?: 'auto' | 'raw';
}

/** Filters no rollup has a dimension for: any of them makes the query read the appeals. */
export function rollupCanFilter(f: IncidentFilter): boolean {
  return !f.status?.length && !f.type?.length && !f.bbox && !f.q;
}

/** A rollup table and the dimensions it keeps. */
interface Cube {
  table: 'incident_rollup' | 'incident_channel_rollup';
  dims: readonly ('district' | 'sphere' | 'service' | 'channel')[];
}
const BY_SERVICE: Cube = { table: 'incident_rollup', dims: ['district', 'sphere', 'service'] };
const BY_CHANNEL: Cube = { table: 'incident_channel_rollup', dims: ['district', 'channel'] };

/**
 * The smallest rollup that can answer a query, or null: categories only as whole spheres,
 * channels never together with a sphere or a service.
 */
export function cubeFor(f: IncidentFilter, groupBy: GroupBy, catalog: Catalog): Cube | null {
  if (!rollupCanFilter(f) || groupBy === 'category') return null;
  const dims = new Set<string>();
  if (f.district?.length || groupBy === 'district') dims.add('district');
  if (f.category?.length || groupBy === 'sphere') dims.add('sphere');
  if (f.service?.length || groupBy === 'service') dims.add('service');
  if (f.channel?.length || groupBy === 'channel') dims.add('channel');
  if (f.category?.some((code) => (catalog.categories.get(code)?.parentId ?? null) !== null)) return null;
  return [BY_CHANNEL, BY_SERVICE].find((c) => [...dims].every((d) => (c.dims as readonly string[]).includes(d))) ?? null;
}

interface Plan {
  tz: string;
  /** city days [d1, d2) read from the rollup */
  d1: string;
  d2: string;
  /** instants [start, end) read from the appeals; null = unbounded */
  edges: [string | null, string | null][];
}

const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : v);

/**
 * Turns [from, to) into whole city days and edges. An end at or after now is open: nothing
 * happens in the future, so today is read from the rollup in full.
 */
async function planPeriod(db: Queryable, from: string | undefined, to: string | undefined, useRollup: boolean): Promise<Plan> {
  const { rows } = await db.query<{ tz: string; d1: string; d2: string; d1_at: Date; d2_at: Date; t: Date; open_end: boolean }>(
    `SELECT tz, to_char(d1, 'YYYY-MM-DD') AS d1, to_char(d2, 'YYYY-MM-DD') AS d2,
            d1::timestamp AT TIME ZONE tz AS d1_at, d2::timestamp AT TIME ZONE tz AS d2_at, coalesce(t, now()) AS t, open_end
       FROM (SELECT tz, f, t, t IS NULL OR t >= now() AS open_end,
                    CASE WHEN f IS NULL THEN DATE '1900-01-01'
                         WHEN (f AT TIME ZONE tz)::time = '00:00' THEN (f AT TIME ZONE tz)::date
                         ELSE (f AT TIME ZONE tz)::date + 1 END AS d1,
                    CASE WHEN t IS NULL OR t >= now() THEN (now() AT TIME ZONE tz)::date + 1
                         ELSE (t AT TIME ZONE tz)::date END AS d2
               FROM (SELECT incident_rollup_tz() AS tz, $1::timestamptz AS f, $2::timestamptz AS t) a) b`,
    [from ?? null, to ?? null],
  );
  const r = rows[0];
  const start = from ?? null;
  const end = r.open_end ? null : iso(r.t);
  if (!useRollup || r.d1 >= r.d2) return { tz: r.tz, d1: r.d1, d2: r.d1, edges: [[start, end]] };
  const edges: [string | null, string | null][] = [];
  if (start !== null && Date.parse(start) < r.d1_at.getTime()) edges.push([start, iso(r.d1_at)]);
  if (end !== null && r.d2_at.getTime() < Date.parse(end)) edges.push([iso(r.d2_at), end]);
  return { tz: r.tz, d1: r.d1, d2: r.d2, edges };
}

/** "col in any of the edges", as parameters of `w`. */
function inEdges(col: string, edges: Plan['edges'], w: Where): string {
  const parts = edges.map(([a, b]) => {
    const c = [a === null ? null : `${col} >= ${w.param(a)}::timestamptz`, b === null ? null : `${col} < ${w.param(b)}::timestamptz`];
    const both = c.filter(Boolean);
    return both.length ? `(${both.join(' AND ')})` : 'true';
  });
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

const isDateKey = (g: GroupBy) => g === 'day' || g === 'week' || g === 'month';

function dateKey(day: string, g: GroupBy): string {
  if (g === 'week') return `to_char(${day} - (extract(isodow FROM ${day})::int - 1), 'YYYY-MM-DD')`;
  if (g === 'month') return `to_char(${day} - (extract(day FROM ${day})::int - 1), 'YYYY-MM-DD')`;
  return `to_char(${day}, 'YYYY-MM-DD')`;
}

/**
 * The group key over a row aliased `a`: a rollup row (where "none" is 0) or an incident (i),
 * with `day` its city day.
 */
function keyOf(g: GroupBy, a: string, day: string): string {
  switch (g) {
    case 'none':
      return `''`;
    case 'district':
      return a === 'i' ? 'coalesce(i.district_id, 0)::text' : `${a}.district_id::text`;
    case 'service':
      return a === 'i' ? 'coalesce(i.service_id, 0)::text' : `${a}.service_id::text`;
    case 'category':
      return `${a}.category_id::text`;
    case 'sphere':
      return a === 'i' ? 'coalesce(c.sphere_id, c.id)::text' : `${a}.sphere_id::text`;
    case 'channel':
      return `${a}.channel`;
    default:
      return dateKey(day, g);
  }
}

/**
 * Conditions on a rollup's dimensions, mirroring incidentConditions for the same filters
 * (cubeFor has checked the rollup keeps them; categories are spheres there).
 */
function rollupConditions(f: IncidentFilter, catalog: Catalog, w: Where, alias = 'r'): Where {
  if (f.category?.length) w.add(`${alias}.sphere_id = ANY(${w.param(idsForCodes(catalog.categories, f.category, 'category'))}::int[])`);
  if (f.service?.length) w.add(`${alias}.service_id = ANY(${w.param(idsForCodes(catalog.services, f.service, 'service'))}::int[])`);
  if (f.district?.length) w.add(`${alias}.district_id = ANY(${w.param(idsForCodes(catalog.districts, f.district, 'district'))}::int[])`);
  if (f.channel?.length) w.add(`${alias}.channel = ANY(${w.param(f.channel)}::text[])`);
  return w;
}

/** Rows of the rollup table `table` inside the plan's days: monthly rows for full months, daily for the rest. */
function rollupDays(plan: Plan, monthly: boolean, w: Where, alias: string): string {
  const p = planDays(plan.d1, plan.d2, monthly);
  const parts: string[] = [];
  if (p.months)
    parts.push(`(${alias}.grain = 'm' AND ${alias}.day >= ${w.param(p.months[0])}::date AND ${alias}.day < ${w.param(p.months[1])}::date)`);
  for (const [a, b] of p.days)
    parts.push(`(${alias}.grain = 'd' AND ${alias}.day >= ${w.param(a)}::date AND ${alias}.day < ${w.param(b)}::date)`);
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

const withoutPeriod = (f: IncidentFilter): IncidentFilter => ({ ...f, from: undefined, to: undefined });

const CONTRIB = `incident_rollup_contrib(1, i.created_at, i.resolved_at, i.closed_at, i.due_at, i.assigned_at, i.status, i.type, i.rating)`;

/**
 * Every counter of the rollup over the period, per group. Missing groups had nothing counted.
 */
export async function periodCounters(db: Queryable, catalog: Catalog, q: PeriodQuery): Promise<Map<string, Counters>> {
  const filter = withoutPeriod(q.filter);
  const cube = q.source === 'raw' ? null : cubeFor(filter, q.groupBy, catalog);
  const plan = await planPeriod(db, q.from, q.to, cube !== null);
  const values: unknown[] = [];
  const sphereJoin = (a: string) => (q.groupBy === 'sphere' && a === 'i' ? `JOIN categories c ON c.id = i.category_id` : '');
  const sums = COUNTERS.map((c) => `sum(${c})${c === 'duration_s' ? '::bigint' : '::int'} AS ${c}`).join(', ');
  const parts: string[] = [];

  if (cube && plan.d1 < plan.d2) {
    const w = rollupConditions(filter, catalog, new Where(values));
    w.add(rollupDays(plan, q.groupBy !== 'day' && q.groupBy !== 'week', w, 'r'));
    parts.push(`SELECT ${keyOf(q.groupBy, 'r', 'r.day')} AS key, ${COUNTERS.map((c) => `r.${c}`).join(', ')}
                  FROM ${cube.table} r ${w}`);
  }
  if (plan.edges.length) {
    const tz = isDateKey(q.groupBy) ? `${new Where(values).param(plan.tz)}::text` : '';
    const w = incidentConditions(filter, catalog, new Where(values));
    w.add(`(${['i.created_at', 'i.resolved_at', 'i.closed_at'].map((col) => inEdges(col, plan.edges, w)).join(' OR ')})`);
    w.add(inEdges('k.at', plan.edges, w));
    const day = `(k.at AT TIME ZONE ${tz})::date`;
    parts.push(`SELECT ${keyOf(q.groupBy, 'i', day)} AS key, ${COUNTERS.map((c) => (c === 'reopened' ? '0 AS reopened' : `k.${c}`)).join(', ')}
                  FROM incidents i CROSS JOIN LATERAL ${CONTRIB} k ${sphereJoin('i')} ${w}`);
    const e = incidentConditions(filter, catalog, new Where(values));
    e.add(`e.to_status = 'reopened'`);
    e.add(inEdges('e.at', plan.edges, e));
    const eday = `(e.at AT TIME ZONE ${tz})::date`;
    parts.push(`SELECT ${keyOf(q.groupBy, 'i', eday)} AS key, ${COUNTERS.map((c) => (c === 'reopened' ? '1' : c === 'duration_s' ? '0::bigint' : '0')).join(', ')}
                  FROM incident_events e JOIN incidents i ON i.id = e.incident_id ${sphereJoin('i')} ${e}`);
  }
  if (!parts.length) return new Map();
  const { rows } = await db.query<Counters & { key: string }>(
    `SELECT key, ${sums} FROM (${parts.join('\nUNION ALL\n')}) x GROUP BY key`,
    values,
  );
  return new Map(rows.map(({ key, ...c }) => [key, c as Counters]));
}

/**
 * Resolution times (created → resolved, rejected appeals left out) of the appeals resolved in
 * the period, per group, as counts per duration bucket (histogram.ts). The rollup keeps them
 * per district, sphere and service (columns h0 … h59 of incident_rollup).
 */
export async function periodDurations(db: Queryable, catalog: Catalog, q: PeriodQuery): Promise<Map<string, number[]>> {
  const filter = withoutPeriod(q.filter);
  // Whatever a rollup can answer without channels, incident_rollup can.
  const useRollup =
    q.source !== 'raw' && cubeFor(filter, q.groupBy, catalog) !== null && !filter.channel?.length && q.groupBy !== 'channel';
  const plan = await planPeriod(db, q.from, q.to, useRollup);
  const values: unknown[] = [];
  const parts: string[] = [];
  const hist = Array.from({ length: BUCKETS }, (_, b) => `h${b}`);
  if (useRollup && plan.d1 < plan.d2) {
    const w = rollupConditions(filter, catalog, new Where(values));
    w.add(rollupDays(plan, q.groupBy !== 'day' && q.groupBy !== 'week', w, 'r'));
    // one row per group and bucket: the 60 column sums unpivoted
    parts.push(`SELECT s.key, b.bucket, b.n
                  FROM (SELECT ${keyOf(q.groupBy, 'r', 'r.day')} AS key, ${hist.map((h) => `sum(r.${h})::int AS ${h}`).join(', ')}
                          FROM incident_rollup r ${w} GROUP BY 1) s
                 CROSS JOIN LATERAL (VALUES ${hist.map((h, b) => `(${b}, s.${h})`).join(', ')}) b(bucket, n)
                 WHERE b.n <> 0`);
  }
  if (plan.edges.length) {
    const tz = isDateKey(q.groupBy) ? `${new Where(values).param(plan.tz)}::text` : '';
    const w = incidentConditions(filter, catalog, new Where(values));
    w.add(inEdges('i.resolved_at', plan.edges, w));
    w.add('k.bucket IS NOT NULL');
    w.add(inEdges('k.at', plan.edges, w));
    const sphereJoin = q.groupBy === 'sphere' ? 'JOIN categories c ON c.id = i.category_id' : '';
    parts.push(`SELECT ${keyOf(q.groupBy, 'i', `(k.at AT TIME ZONE ${tz})::date`)} AS key, k.bucket, k.resolved AS n
                  FROM incidents i CROSS JOIN LATERAL ${CONTRIB} k ${sphereJoin} ${w}`);
  }
  if (!parts.length) return new Map();
  const { rows } = await db.query<{ key: string; bucket: number; n: number }>(
    `SELECT key, bucket, sum(n)::int AS n FROM (${parts.join('\nUNION ALL\n')}) x GROUP BY key, bucket`,
    values,
  );
  const out = new Map<string, number[]>();
  for (const r of rows) {
    const h = out.get(r.key) ?? new Array<number>(BUCKETS).fill(0);
    h[r.bucket] += r.n;
    out.set(r.key, h);
  }
  return out;
}

/**
 * The backlog now, per group: open appeals matching the filter, and how many are overdue. The
 * filter's from/to still select by registration time; leave them out for the whole backlog.
 */
export async function backlogNow(
  db: Queryable,
  catalog: Catalog,
  filter: IncidentFilter,
  groupBy: Exclude<GroupBy, 'day' | 'week' | 'month'>,
): Promise<Map<string, { open: number; overdue: number }>> {
  const w = incidentConditions(filter, catalog);
  w.add('i.is_open');
  const { rows } = await db.query<{ key: string; open: number; overdue: number }>(
    `SELECT ${keyOf(groupBy, 'i', '')} AS key, count(*)::int AS open,
            count(*) FILTER (WHERE ${overdueSql()})::int AS overdue
       FROM incidents i ${groupBy === 'sphere' ? 'JOIN categories c ON c.id = i.category_id' : ''} ${w}
      GROUP BY 1`,
    w.values,
  );
  return new Map(rows.map((r) => [r.key, { open: r.open, overdue: r.overdue }]));
}

/** Sum of counters over every group. */
export function totalOf(groups: Iterable<Counters>): Counters {
  const t = zeroCounters();
  for (const g of groups) for (const c of COUNTERS) t[c] += g[c];
  return t;
}
