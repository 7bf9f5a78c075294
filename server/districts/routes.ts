import { Hono } from 'hono';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { IncidentFilterSchema } from '../incidents/filters.ts';
import { validQuery } from '../validate.ts';
import { districtsWithCounts } from './queries.ts';

export function districtRoutes({ pool }: Deps) {
  return new Hono<AppEnv>().get('/', validQuery(IncidentFilterSchema), async (c) => {
    return c.json(await districtsWithCounts(pool, await getCatalog(pool), c.req.valid('query')));
  });
}
