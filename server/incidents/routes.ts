import { Hono } from 'hono';
import { z } from 'zod';
import { PERSONAL_DATA_ROLES } from '../auth/middleware.ts';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { notFound } from '../errors.ts';
import { validParam, validQuery } from '../validate.ts';
import { IncidentFilterSchema } from './filters.ts';
import { getIncident, getIncidentEvents, getReporters, listIncidents, toFeature } from './queries.ts';

/** Page size cap: clients page with `next` beyond it. */
export const MAX_LIMIT = 1000;

const ListQuery = IncidentFilterSchema.and(
  z.object({
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
    cursor: z.string().max(200).optional(),
    sort: z.enum(['created', 'due']).default('created'),
  }),
);

export const IdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export function incidentRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/', validQuery(ListQuery), async (c) => {
      const { limit, cursor, sort, ...filter } = c.req.valid('query');
      const page = await listIncidents(pool, await getCatalog(pool), filter, limit, cursor, sort);
      return c.json({
        type: 'FeatureCollection',
        numberMatched: page.numberMatched,
        numberReturned: page.features.length,
        next: page.next,
        features: page.features,
      });
    })
    .get('/:id', validParam(IdParam), async (c) => {
      const { id } = c.req.valid('param');
      const row = await getIncident(pool, id);
      if (!row) throw notFound('Incident');
      const user = c.get('user');
      const [events, reporters] = await Promise.all([
        getIncidentEvents(pool, id),
        user && PERSONAL_DATA_ROLES.includes(user.role) ? getReporters(pool, id, user.id) : Promise.resolve(undefined),
      ]);
      return c.json({ ...toFeature(row), events, ...(reporters ? { reporters } : {}) });
    });
}
