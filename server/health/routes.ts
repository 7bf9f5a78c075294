import { Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';
import { postgisVersion } from './queries.ts';
import type { Health } from '../contract/platform.ts';

/**
 * Liveness and the database behind it: engine and PostGIS version (of the primary), and with a
 * replica (DATABASE_REPLICA_URL) its state and lag as last checked: reads fall back to the primary
 * unless it is `up`, so the instance stays healthy without it.
 */
export function healthRoutes({ pool, engine, replica }: Deps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const database: Health['database'] = { engine, postgis: await postgisVersion(pool) };
    if (replica) database.replica = replica.status();
    return c.json({ status: 'ok', database } satisfies Health);
  });
}
