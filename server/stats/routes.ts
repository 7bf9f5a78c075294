import { Hono } from 'hono';
import { z } from 'zod';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { type IncidentFilter, IncidentFilterSchema } from '../incidents/filters.ts';
import { respondCached } from '../response-cache.ts';
import { validQuery } from '../validate.ts';
import { byCategory, byChannel, byDistrict, byService, timeSeries } from './breakdowns.ts';
import { firstCall, summary } from './queries.ts';

const DAY_MS = 86_400_000;

/** [from, to) of a request: `to` defaults to now, `from` to `days` before `to`. */
function period(f: { from?: string; to?: string }, days: number) {
  const to = f.to ?? new Date().toISOString();
  const from = f.from ?? new Date(Date.parse(to) - days * DAY_MS).toISOString();
  return { from, to };
}

/** Breakdowns are about the backlog unless a status is asked for. */
const openByDefault = <T extends IncidentFilter>(f: T): T => (f.status ? f : { ...f, status: ['open'] });

const CategoryQuery = IncidentFilterSchema.and(z.object({ level: z.enum(['sphere', 'category']).default('sphere') }));
const SeriesQuery = IncidentFilterSchema.and(z.object({ interval: z.enum(['day', 'week', 'month']).default('day') })).refine(
  (q) => {
    // zod runs refinements after a field failed too: an invalid date is reported by its own check.
    if (Number.isNaN(Date.parse(q.from ?? '1970-01-01')) || Number.isNaN(Date.parse(q.to ?? '1970-01-01'))) return true;
    const { from, to } = period(q, 30);
    const buckets = (Date.parse(to) - Date.parse(from)) / DAY_MS / (q.interval === 'day' ? 1 : q.interval === 'week' ? 7 : 28);
    return buckets <= 1000;
  },
  { message: 'too many buckets (at most 1000): use a longer interval or a shorter period', path: ['interval'] },
);

export function statsRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/summary', validQuery(IncidentFilterSchema), async (c) => {
      const filter = c.req.valid('query');
      const { from, to } = period(filter, 30);
      // "Today" and overdue move with the clock: kept at most 5 s (and until appeals change).
      return respondCached(c, pool, 5000, async () => summary(pool, await getCatalog(pool), filter, from, to));
    })
    .get('/by-category', validQuery(CategoryQuery), async (c) => {
      const { level, ...filter } = c.req.valid('query');
      const items = await byCategory(pool, await getCatalog(pool), openByDefault(filter), level);
      return c.json({ level, total: items.reduce((a, r) => a + r.count, 0), items });
    })
    .get('/by-service', validQuery(IncidentFilterSchema), async (c) => {
      const filter = c.req.valid('query');
      const { from, to } = period(filter, 30);
      return c.json(await byService(pool, await getCatalog(pool), openByDefault(filter), from, to));
    })
    .get('/by-district', validQuery(IncidentFilterSchema), async (c) => {
      const filter = c.req.valid('query');
      const { from, to } = period(filter, 30);
      return c.json(await byDistrict(pool, await getCatalog(pool), filter, from, to));
    })
    .get('/by-channel', validQuery(IncidentFilterSchema), async (c) => {
      const filter = c.req.valid('query');
      const { from, to } = period(filter, 30);
      return c.json(await byChannel(pool, await getCatalog(pool), filter, from, to));
    })
    .get('/first-call', validQuery(IncidentFilterSchema), async (c) => {
      const filter = c.req.valid('query');
      const { from, to } = period(filter, 30);
      return c.json(await firstCall(pool, await getCatalog(pool), filter, from, to));
    })
    .get('/timeseries', validQuery(SeriesQuery), async (c) => {
      const { interval, ...filter } = c.req.valid('query');
      const { from, to } = period(filter, 30);
      return respondCached(c, pool, 10_000, async () => ({
        interval,
        from,
        to,
        items: await timeSeries(pool, await getCatalog(pool), filter, interval, from, to),
      }));
    });
}
