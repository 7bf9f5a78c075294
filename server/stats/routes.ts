import { Hono } from 'hono';
import { z } from 'zod';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { type IncidentFilter, IncidentFilterSchema } from '../incidents/filters.ts';
import { validQuery } from '../validate.ts';
import { byCategory, byService, timeSeries } from './breakdowns.ts';
import { summary } from './queries.ts';

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
      return c.json(await summary(pool, await getCatalog(pool), filter, from, to));
    })
    .get('/by-category', validQuery(CategoryQuery), async (c) => {
      const { level, ...filter } = c.req.valid('query');
      const items = await byCategory(pool, await getCatalog(pool), openByDefault(filter), level);
      return c.json({ level, total: items.reduce((a, r) => a + r.count, 0), items });
    })
    .get('/by-service', validQuery(IncidentFilterSchema), async (c) => {
      return c.json({ items: await byService(pool, await getCatalog(pool), openByDefault(c.req.valid('query'))) });
    })
    .get('/timeseries', validQuery(SeriesQuery), async (c) => {
      const { interval, ...filter } = c.req.valid('query');
      const { from, to } = period(filter, 30);
      return c.json({ interval, from, to, items: await timeSeries(pool, await getCatalog(pool), filter, interval, from, to) });
    });
}
