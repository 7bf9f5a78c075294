import { Hono } from 'hono';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { IncidentFilterSchema } from '../incidents/filters.ts';
import { respondCached } from '../response-cache.ts';
import { validQuery } from '../validate.ts';
import { districtsWithCounts } from './queries.ts';

export function districtRoutes({ pool }: Deps) {
  // Overdue counts move with the clock: an answer is kept at most 5 s (and until appeals change).
  return new Hono<AppEnv>().get('/', validQuery(IncidentFilterSchema), async (c) => {
    const filter = c.req.valid('query');
    return respondCached(c, pool, 5000, async () => districtsWithCounts(pool, await getCatalog(pool), filter), 'application/geo+json');
  });
}
