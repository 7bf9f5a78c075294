import type { Catalog } from '../catalog.ts';
import type { Kpis, Summary } from '../contract/kpis.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';
import { type Counters, periodCounters, type Queryable, totalOf, zeroCounters } from './rollup.ts';
import { overdueSql } from '../domain/statuses.ts';

export type { Kpis } from '../contract/kpis.ts';

interface Live {
  open: number;
  overdue: number;
  new_today: number;
  resolved_today: number;
}

const rate = (n: number, d: number) => (d > 0 ? n / d : null);
export const meanRating = (sum: number, n: number) => (n > 0 ? Math.round((sum / n) * 100) / 100 : null);

function kpis(live: Live, c: Counters): Kpis {
  return {
    open: live.open,
    overdue: live.overdue,
    newToday: live.new_today,
    resolvedToday: live.resolved_today,
    closed: c.resolved,
    closedOnTime: c.resolved_on_time,
    onTimeRate: rate(c.resolved_on_time, c.resolved + live.overdue),
    meanRating: meanRating(c.rating_sum, c.ratings),
    ratings: c.ratings,
    createdInPeriod: c.created,
    firstCallRate: rate(c.first_call_info, c.info_requests),
  };
}

/**
 * The KPIs of the control room for a period [from, to): open, overdue and "today" figures are
 * about now (today in the city's time zone, the session's TimeZone), read from the open
 * appeals and today's; closed, on-time %, ratings and first-call resolution are about the
 * period, read from the rollups (rollup.ts), so their cost does not grow with the period.
 */
export async function summary(pool: Queryable, catalog: Catalog, filter: IncidentFilter, from: string, to: string): Promise<Summary> {
  const { from: _f, to: _t, ...rest } = filter;
  const w = incidentConditions(rest, catalog);
  // Three small reads, each from its own index: the open appeals (a covering partial index),
  // today's new ones and today's resolutions. One scan with an OR of the three would visit the
  // heap pages of every open appeal.
  const where = (extra: string) => (w.conditions.length ? `${w} AND ${extra}` : `WHERE ${extra}`);
  const [live, period] = await Promise.all([
    pool.query<Live & { district: number | null }>(
      `SELECT district, sum(open)::int AS open, sum(overdue)::int AS overdue, sum(new_today)::int AS new_today,
              sum(resolved_today)::int AS resolved_today
         FROM (SELECT i.district_id AS district, count(*) AS open,
                      count(*) FILTER (WHERE ${overdueSql()}) AS overdue,
                      0 AS new_today, 0 AS resolved_today
                 FROM incidents i ${where('i.is_open')} GROUP BY 1
               UNION ALL
               SELECT i.district_id, 0, 0, count(*), 0 FROM incidents i ${where("i.created_at >= date_trunc('day', now())")} GROUP BY 1
               UNION ALL
               SELECT i.district_id, 0, 0, 0, count(*) FROM incidents i ${where("i.resolved_at >= date_trunc('day', now())")} GROUP BY 1) x
        GROUP BY district`,
      w.values,
    ),
    periodCounters(pool, catalog, { filter: rest, from, to, groupBy: 'district' }),
  ]);
  const codeOf = new Map([...catalog.districts.values()].map((d) => [String(d.id), d.code]));
  const liveBy = new Map(live.rows.map((r) => [String(r.district ?? 0), r]));
  const none: Live = { open: 0, overdue: 0, new_today: 0, resolved_today: 0 };
  const liveTotal = live.rows.reduce(
    (a, r) => ({
      open: a.open + r.open,
      overdue: a.overdue + r.overdue,
      new_today: a.new_today + r.new_today,
      resolved_today: a.resolved_today + r.resolved_today,
    }),
    none,
  );
  const keys = [...new Set([...liveBy.keys(), ...period.keys()])]
    .filter((k) => codeOf.has(k))
    .sort((a, b) => codeOf.get(a)!.localeCompare(codeOf.get(b)!));
  return {
    period: { from, to },
    city: kpis(liveTotal, totalOf(period.values())),
    districts: Object.fromEntries(keys.map((k) => [codeOf.get(k)!, kpis(liveBy.get(k) ?? none, period.get(k) ?? zeroCounters())])),
  };
}

/**
 * First-call resolution over [from, to): appeals closed at intake, never passed to a service,
 * among all appeals registered in the period and among information requests (the share the
 * centre reports, "closed on the first call").
 */
export async function firstCall(pool: Queryable, catalog: Catalog, filter: IncidentFilter, from: string, to: string) {
  const c = totalOf((await periodCounters(pool, catalog, { filter, from, to, groupBy: 'none' })).values());
  return {
    period: { from, to },
    all: { created: c.created, first_call: c.first_call, rate: rate(c.first_call, c.created) },
    information_requests: { created: c.info_requests, first_call: c.first_call_info, rate: rate(c.first_call_info, c.info_requests) },
  };
}
