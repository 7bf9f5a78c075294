import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';

const OVERDUE = `i.status IN ('new','assigned','in_progress','reopened') AND i.due_at < now()`;
const names = (a: string) => `json_build_object('kk', ${a}.name_kk, 'ru', ${a}.name_ru, 'en', ${a}.name_en)`;

/** Matching appeals per sphere or per category: count, still open, overdue. */
export async function byCategory(pool: pg.Pool, catalog: Catalog, filter: IncidentFilter, level: 'sphere' | 'category') {
  const w = incidentConditions(filter, catalog);
  const key = level === 'sphere' ? 'c.sphere_id' : 'i.category_id';
  const { rows } = await pool.query(
    `SELECT k.code, s.code AS sphere, ${names('k')} AS name, coalesce(s.color, k.color) AS color, t.count, t.open, t.overdue
       FROM (SELECT ${key} AS id, count(*)::int AS count, count(*) FILTER (WHERE i.is_open)::int AS open,
                    count(*) FILTER (WHERE ${OVERDUE})::int AS overdue
               FROM incidents i JOIN categories c ON c.id = i.category_id ${w} GROUP BY 1) t
       JOIN categories k ON k.id = t.id LEFT JOIN categories s ON s.id = k.sphere_id
      ORDER BY t.count DESC, k.code`,
    w.values,
  );
  return rows;
}

/** Matching appeals per service: count, open, overdue, resolved and resolved on time. */
export async function byService(pool: pg.Pool, catalog: Catalog, filter: IncidentFilter) {
  const w = incidentConditions(filter, catalog);
  const { rows } = await pool.query(
    `SELECT s.code, ${names('s')} AS name, t.count, t.open, t.overdue, t.resolved, t.resolved_on_time
       FROM (SELECT i.service_id, count(*)::int AS count, count(*) FILTER (WHERE i.is_open)::int AS open,
                    count(*) FILTER (WHERE ${OVERDUE})::int AS overdue,
                    count(*) FILTER (WHERE i.resolved_at IS NOT NULL AND i.status <> 'rejected')::int AS resolved,
                    count(*) FILTER (WHERE i.resolved_at <= i.due_at AND i.status <> 'rejected')::int AS resolved_on_time
               FROM incidents i ${w} GROUP BY i.service_id) t
       JOIN services s ON s.id = t.service_id
      ORDER BY t.overdue DESC, t.open DESC, s.code`,
    w.values,
  );
  return rows;
}

/**
 * Appeals created and resolved per day, week or month of the city's calendar (the session's
 * TimeZone) over [from, to); buckets without appeals are present with zeros.
 */
export async function timeSeries(
  pool: pg.Pool,
  catalog: Catalog,
  filter: IncidentFilter,
  interval: 'day' | 'week' | 'month',
  from: string,
  to: string,
) {
  const { from: _f, to: _t, ...rest } = filter;
  const w = incidentConditions(rest, catalog);
  // The filter's conditions serve both the created and the resolved side.
  const conds = w.conditions.map((c) => `${c} AND `).join('');
  const pFrom = w.param(from);
  const pTo = w.param(to);
  const pInterval = w.param(interval);
  const { rows } = await pool.query(
    `WITH buckets AS (
       SELECT generate_series(date_trunc(${pInterval}, ${pFrom}::timestamptz), ${pTo}::timestamptz - interval '1 microsecond',
                              ('1 ' || ${pInterval})::interval) AS t
     ), c AS (
       SELECT date_trunc(${pInterval}, i.created_at) AS t, count(*)::int AS n FROM incidents i
        WHERE ${conds} i.created_at >= ${pFrom}::timestamptz AND i.created_at < ${pTo}::timestamptz GROUP BY 1
     ), r AS (
       SELECT date_trunc(${pInterval}, i.resolved_at) AS t, count(*)::int AS n FROM incidents i
        WHERE ${conds} i.resolved_at >= ${pFrom}::timestamptz AND i.resolved_at < ${pTo}::timestamptz
          AND i.status <> 'rejected' GROUP BY 1
     )
     SELECT to_char(b.t, 'YYYY-MM-DD') AS date, coalesce(c.n, 0) AS created, coalesce(r.n, 0) AS resolved
       FROM buckets b LEFT JOIN c ON c.t = b.t LEFT JOIN r ON r.t = b.t ORDER BY b.t`,
    w.values,
  );
  return rows;
}
