import { Hono } from 'hono';
import { z } from 'zod';
import type { MapClusters } from '../contract/stats.ts';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { IncidentFilterSchema } from '../incidents/filters.ts';
import { respondCached } from '../response-cache.ts';
import { validQuery } from '../validate.ts';
import { clusters } from './queries.ts';

const ClusterQuery = IncidentFilterSchema.and(z.object({ z: z.coerce.number().int().min(0).max(22) }));

/** Map aggregates: GET /api/map/clusters?z=12&bbox=...&<incident filters> (default: open appeals). */
export function mapRoutes({ pool }: Deps) {
  return new Hono<AppEnv>().get('/clusters', validQuery(ClusterQuery), async (c) => {
    const { z: zoom, ...filter } = c.req.valid('query');
    c.header('Cache-Control', 'no-cache');
    // Heat weights grow with age and overdue flags with the clock: kept at most 10 s.
    // A FeatureCollection: served as the GeoJSON media type it is documented with (RFC 7946).
    return respondCached(
      c,
      pool,
      10_000,
      async (): Promise<MapClusters> => clusters(pool, await getCatalog(pool), filter, zoom),
      'application/geo+json',
    );
  });
}
