import { Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';
import { postgisVersion } from './queries.ts';
import type { Health } from '../contract/platform.ts';

/** Liveness and the database behind it: engine and PostGIS version. */
export function healthRoutes({ pool, engine }: Deps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    return c.json({ status: 'ok', database: { engine, postgis: await postgisVersion(pool) } } satisfies Health);
  });
}
