import type { Catalog } from '../catalog.ts';
import { CHANNELS, incidentConditions, type IncidentFilter } from '../incidents/filters.ts';
import { quantileHours } from './histogram.ts';
import { getLabels } from './labels.ts';
import { meanRating } from './queries.ts';
import {
  backlogNow,
  cubeFor,
  type Counter,
  type Counters,
  periodCounters,
  periodDurations,
  type Queryable,
  zeroCounters,
} from './rollup.ts';
import { overdueSql } from '../domain/statuses.ts';

/** Statuses of an open appeal: work or the citizen's confirmation still owed. */
const OPEN = ['new', 'assigned', 'in_progress', 'resolved', 'reopened'] as const;

const rate = (n: number, d: number) => (d > 0 ? n / d : null);
const round = (v: number | null, digits = 2) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const sumOf = (c: Counters, statuses: readonly string[]) => statuses.reduce((a, s) => a + c[`st_${s}` as Counter], 0);
const noPeriod = (f: IncidentFilter): IncidentFilter => ({ ...f, from: undefined, to: undefined });
const noStatus = (f: IncidentFilter): IncidentFilter => ({ ...f, status: undefined });

/** Resolution-time figures from a histogram and the counters: median and p90 from buckets, mean exact. */
function durations(hist: number[] | undefined, c: Counters) {
  return {
    median_hours_to_close: round(hist ? quantileHours(hist, 0.5) : null, 3),
    p90_hours_to_close: round(hist ? quantileHours(hist, 0.9) : null, 3),
    mean_hours_to_close: round(c.resolved > 0 ? c.duration_s / c.resolved / 3600 : null, 3),
  };
}

/**
 * Matching appeals per sphere or per category: count, still open, overdue now. A status filter
 * that the rollup keeps per creation day (any status, or "open") is read from it when there is
 * a period or a final status (a year of closed appeals); the open backlog alone, and "overdue",
 * are read from the open appeals.
 */
export async function byCategory(pool: Queryable, catalog: Catalog, filter: IncidentFilter, level: 'sphere' | 'category') {
  const statuses = [...new Set((filter.status ?? ['open']).flatMap((s) => (s === 'open' ? [...OPEN] : [s])))];
  const cohort = !statuses.includes('overdue');
  const backlogOnly = !filter.from && statuses.every((s) => (OPEN as readonly string[]).includes(s));
  const groupBy = level === 'sphere' ? 'sphere' : 'category';
  const viaRollup = cohort && !backlogOnly && cubeFor(noStatus(filter), groupBy, catalog) !== null;
  const [counters, backlog, labels] = await Promise.all([
    periodCounters(pool, catalog, {
      filter: viaRollup ? noStatus(filter) : filter,
      from: filter.from,
      to: filter.to,
      groupBy,
      source: viaRollup ? 'auto' : 'raw',
    }),
    backlogNow(pool, catalog, filter, groupBy),
    getLabels(pool),
  ]);
  const items = [...counters.entries()]
    .map(([key, c]) => {
      const label = labels.categories.get(Number(key));
      const count = cohort ? sumOf(c, statuses) : c.created;
      const open = sumOf(
        c,
        OPEN.filter((s) => !cohort || statuses.includes(s)),
      );
      return (
        label && {
          code: label.code,
          sphere: label.sphere,
          name: label.name,
          color: label.color,
          count,
          open,
          overdue: backlog.get(key)?.overdue ?? 0,
        }
      );
    })
    .filter((r): r is NonNullable<typeof r> => !!r && r.count > 0)
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return items;
}

/**
 * Per service: the matching appeals (by default the open backlog) with count, open, overdue,
 * resolved and resolved on time, as before; and `performance` over the period [from, to):
 * appeals resolved, on-time % = resolved on time ÷ (resolved + open and overdue now), median
 * and 90th percentile of the time from registration to resolution (from the rollup's
 * histogram, within ±19 %, see histogram.ts), reopen rate = reopenings ÷ resolutions, mean rating.
 */
export async function byService(pool: Queryable, catalog: Catalog, filter: IncidentFilter, from: string, to: string) {
  const w = incidentConditions(filter, catalog);
  const flows = { filter: noStatus(noPeriod(filter)), from, to, groupBy: 'service' as const };
  const [matched, counters, hist, now, labels, orders] = await Promise.all([
    pool.query<{ service_id: number; count: number; open: number; overdue: number; resolved: number; resolved_on_time: number }>(
      `SELECT i.service_id, count(*)::int AS count, count(*) FILTER (WHERE i.is_open)::int AS open,
              count(*) FILTER (WHERE ${overdueSql()})::int AS overdue,
              count(*) FILTER (WHERE i.resolved_at IS NOT NULL AND i.status <> 'rejected')::int AS resolved,
              count(*) FILTER (WHERE i.resolved_at <= i.due_at AND i.status <> 'rejected')::int AS resolved_on_time
         FROM incidents i ${w} GROUP BY i.service_id`,
      w.values,
    ),
    periodCounters(pool, catalog, flows),
    periodDurations(pool, catalog, flows),
    backlogNow(pool, catalog, noStatus(noPeriod(filter)), 'service'),
    getLabels(pool),
    workOrdersByService(pool, catalog, noStatus(noPeriod(filter)), from, to),
  ]);
  const byId = new Map(matched.rows.map((r) => [String(r.service_id), r]));
  const keys = new Set([...byId.keys(), ...counters.keys(), ...orders.keys()]);
  const items = [...keys]
    .map((key) => {
      const label = labels.services.get(Number(key));
      if (!label) return null;
      const m = byId.get(key) ?? { count: 0, open: 0, overdue: 0, resolved: 0, resolved_on_time: 0 };
      const c = counters.get(key) ?? zeroCounters();
      const overdueNow = now.get(key)?.overdue ?? 0;
      return {
        code: label.code,
        name: label.name,
        count: m.count,
        open: m.open,
        overdue: m.overdue,
        resolved: m.resolved,
        resolved_on_time: m.resolved_on_time,
        performance: {
          created: c.created,
          resolved: c.resolved,
          resolved_on_time: c.resolved_on_time,
          overdue_now: overdueNow,
          on_time_rate: round(rate(c.resolved_on_time, c.resolved + overdueNow), 4),
          ...durations(hist.get(key), c),
          reopened: c.reopened,
          reopen_rate: round(rate(c.reopened, c.resolved), 4),
          mean_rating: meanRating(c.rating_sum, c.ratings),
          ratings: c.ratings,
        },
        work_orders: orders.get(key) ?? { open: 0, overdue: 0, done: 0, done_on_time: 0 },
      };
    })
    .filter((r): r is NonNullable<typeof r> => r !== null)
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.code.localeCompare(b.code));
  return { period: { from, to }, items };
}

/**
 * A service's own work orders as a co-executor (issue 18), on the appeals the filter selects:
 * open and overdue now, and done within [from, to), on time or not (finished by their own
 * deadline). The lead's work is the appeal itself and is counted above.
 */
async function workOrdersByService(pool: Queryable, catalog: Catalog, filter: IncidentFilter, from: string, to: string) {
  const w = incidentConditions(filter, catalog);
  const a = w.param(from);
  const b = w.param(to);
  const within = `w.status = 'done' AND w.finished_at >= ${a}::timestamptz AND w.finished_at < ${b}::timestamptz`;
  const { rows } = await pool.query<{ service_id: number; open: number; overdue: number; done: number; done_on_time: number }>(
    `SELECT w.service_id, count(*) FILTER (WHERE w.status IN ('open', 'in_progress'))::int AS open,
            count(*) FILTER (WHERE w.status IN ('open', 'in_progress') AND w.due_at < now())::int AS overdue,
            count(*) FILTER (WHERE ${within})::int AS done,
            count(*) FILTER (WHERE ${within} AND w.finished_at <= w.due_at)::int AS done_on_time
       FROM work_orders w JOIN incidents i ON i.id = w.incident_id ${w} GROUP BY w.service_id`,
    w.values,
  );
  return new Map(rows.map(({ service_id, ...r }) => [String(service_id), r]));
}

/**
 * Per district over [from, to): appeals registered (absolute and per 10,000 residents),
 * resolved, on time, resolution times, ratings, first-call resolution; and the backlog now
 * (open and overdue, absolute and open per 10,000). Every district is listed, in code order.
 */
export async function byDistrict(pool: Queryable, catalog: Catalog, filter: IncidentFilter, from: string, to: string) {
  const flows = { filter: noPeriod(filter), from, to, groupBy: 'district' as const };
  const [counters, hist, now, labels] = await Promise.all([
    periodCounters(pool, catalog, flows),
    periodDurations(pool, catalog, flows),
    backlogNow(pool, catalog, noPeriod(filter), 'district'),
    getLabels(pool),
  ]);
  const per10k = (n: number, population: number | null) => (population ? round((n * 10_000) / population) : null);
  const items = [...labels.districts.entries()]
    .map(([id, d]) => {
      const key = String(id);
      const c = counters.get(key) ?? zeroCounters();
      const b = now.get(key) ?? { open: 0, overdue: 0 };
      return {
        code: d.code,
        name: d.name,
        population: d.population,
        created: c.created,
        created_per_10k: per10k(c.created, d.population),
        open: b.open,
        open_per_10k: per10k(b.open, d.population),
        overdue: b.overdue,
        resolved: c.resolved,
        resolved_on_time: c.resolved_on_time,
        on_time_rate: round(rate(c.resolved_on_time, c.resolved + b.overdue), 4),
        ...durations(hist.get(key), c),
        reopened: c.reopened,
        mean_rating: meanRating(c.rating_sum, c.ratings),
        ratings: c.ratings,
        first_call_rate: round(rate(c.first_call, c.created), 4),
      };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
  const outside = counters.get('0');
  return { period: { from, to }, outside: { created: outside?.created ?? 0 }, items };
}

/**
 * Per channel over [from, to): appeals registered and their share, first-call resolution,
 * resolved, on time (against the channel's overdue backlog now) and ratings. Every channel is
 * listed, most used first.
 */
export async function byChannel(pool: Queryable, catalog: Catalog, filter: IncidentFilter, from: string, to: string) {
  const flows = { filter: noPeriod(filter), from, to, groupBy: 'channel' as const };
  const [counters, now] = await Promise.all([periodCounters(pool, catalog, flows), backlogNow(pool, catalog, noPeriod(filter), 'channel')]);
  const total = [...counters.values()].reduce((a, c) => a + c.created, 0);
  const items = CHANNELS.map((channel) => {
    const c = counters.get(channel) ?? zeroCounters();
    const overdue = now.get(channel)?.overdue ?? 0;
    return {
      channel,
      created: c.created,
      share: round(rate(c.created, total), 4),
      first_call: c.first_call,
      first_call_rate: round(rate(c.first_call, c.created), 4),
      resolved: c.resolved,
      resolved_on_time: c.resolved_on_time,
      on_time_rate: round(rate(c.resolved_on_time, c.resolved + overdue), 4),
      mean_rating: meanRating(c.rating_sum, c.ratings),
      ratings: c.ratings,
    };
  }).sort((a, b) => b.created - a.created || a.channel.localeCompare(b.channel));
  return { period: { from, to }, total, items };
}

/**
 * Appeals per day, week or month of the city's calendar over [from, to): registered, resolved
 * (and on time), closed at first call, reopened. Buckets without appeals are present with zeros.
 */
export async function timeSeries(
  pool: Queryable,
  catalog: Catalog,
  filter: IncidentFilter,
  interval: 'day' | 'week' | 'month',
  from: string,
  to: string,
) {
  const [buckets, counters] = await Promise.all([
    pool.query<{ date: string }>(
      `SELECT to_char(t, 'YYYY-MM-DD') AS date
         FROM generate_series(date_trunc($1, $2::timestamptz), $3::timestamptz - interval '1 microsecond', ('1 ' || $1)::interval) t`,
      [interval, from, to],
    ),
    periodCounters(pool, catalog, { filter: noPeriod(filter), from, to, groupBy: interval }),
  ]);
  return buckets.rows.map(({ date }) => {
    const c = counters.get(date) ?? zeroCounters();
    return {
      date,
      created: c.created,
      resolved: c.resolved,
      resolved_on_time: c.resolved_on_time,
      first_call: c.first_call,
      reopened: c.reopened,
    };
  });
}
