import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';

export interface Kpis {
  open: number;
  overdue: number;
  newToday: number;
  resolvedToday: number;
  /** appeals resolved in the period */
  closed: number;
  closedOnTime: number;
  /** closed on time ÷ (closed + open and overdue), 0..1; null when there is nothing to judge */
  onTimeRate: number | null;
  meanRating: number | null;
  ratings: number;
  createdInPeriod: number;
  /** information requests answered on the call ÷ information requests, 0..1 */
  firstCallRate: number | null;
}

interface Row {
  district: string | null;
  open: number;
  overdue: number;
  new_today: number;
  resolved_today: number;
  closed: number;
  closed_on_time: number;
  rating_sum: number | null;
  ratings: number;
  created: number;
  info_requests: number;
  consulted: number;
}

function kpis(r: Omit<Row, 'district'>): Kpis {
  const judged = r.closed + r.overdue;
  return {
    open: r.open,
    overdue: r.overdue,
    newToday: r.new_today,
    resolvedToday: r.resolved_today,
    closed: r.closed,
    closedOnTime: r.closed_on_time,
    onTimeRate: judged ? r.closed_on_time / judged : null,
    meanRating: r.ratings ? Math.round(((r.rating_sum ?? 0) / r.ratings) * 100) / 100 : null,
    ratings: r.ratings,
    createdInPeriod: r.created,
    firstCallRate: r.info_requests ? r.consulted / r.info_requests : null,
  };
}

/**
 * The KPIs of the control room for a period [from, to): open, overdue and "today" figures are
 * about now (today in the city's time zone, the session's TimeZone); closed, on-time %,
 * ratings and first-call resolution about the period. Only rows that are open, or were created
 * or resolved since the earlier of today and `from`, are read: the cost follows the period and
 * the backlog, not the history.
 */
export async function summary(pool: pg.Pool, catalog: Catalog, filter: IncidentFilter, from: string, to: string) {
  const { from: _f, to: _t, ...rest } = filter;
  const w = incidentConditions(rest, catalog);
  const pFrom = w.param(from);
  const pTo = w.param(to);
  const since = `least(date_trunc('day', now()), ${pFrom}::timestamptz)`;
  w.add(`(i.is_open OR i.created_at >= ${since} OR i.resolved_at >= ${since})`);
  const inPeriod = (col: string) => `${col} >= ${pFrom}::timestamptz AND ${col} < ${pTo}::timestamptz`;
  const { rows } = await pool.query<Row>(
    `SELECT d.code AS district,
            count(*) FILTER (WHERE i.is_open)::int AS open,
            count(*) FILTER (WHERE i.status IN ('new','assigned','in_progress','reopened') AND i.due_at < now())::int AS overdue,
            count(*) FILTER (WHERE i.created_at >= date_trunc('day', now()))::int AS new_today,
            count(*) FILTER (WHERE i.resolved_at >= date_trunc('day', now()))::int AS resolved_today,
            count(*) FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected')::int AS closed,
            count(*) FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected' AND i.resolved_at <= i.due_at)::int AS closed_on_time,
            sum(i.rating) FILTER (WHERE ${inPeriod('i.resolved_at')})::int AS rating_sum,
            count(i.rating) FILTER (WHERE ${inPeriod('i.resolved_at')})::int AS ratings,
            count(*) FILTER (WHERE ${inPeriod('i.created_at')})::int AS created,
            count(*) FILTER (WHERE ${inPeriod('i.created_at')} AND i.type = 'information_request')::int AS info_requests,
            count(*) FILTER (WHERE ${inPeriod('i.created_at')} AND i.type = 'information_request' AND i.resolution = 'consulted')::int AS consulted
       FROM incidents i LEFT JOIN districts d ON d.id = i.district_id
       ${w}
      GROUP BY d.code ORDER BY d.code`,
    w.values,
  );
  const total = rows.reduce(
    (a, r) => {
      for (const k of Object.keys(a) as (keyof typeof a)[]) a[k] += Number(r[k] ?? 0);
      return a;
    },
    {
      open: 0,
      overdue: 0,
      new_today: 0,
      resolved_today: 0,
      closed: 0,
      closed_on_time: 0,
      rating_sum: 0,
      ratings: 0,
      created: 0,
      info_requests: 0,
      consulted: 0,
    },
  );
  return {
    period: { from, to },
    city: kpis(total),
    districts: Object.fromEntries(rows.filter((r) => r.district).map((r) => [r.district, kpis(r)])),
  };
}
