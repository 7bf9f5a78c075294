import { Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';

/** Liveness and the database behind it: engine and PostGIS version. */
export function healthRoutes({ pool, engine }: Deps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const { rows } = await pool.query<{ v: string }>('SELECT postgis_lib_version() AS v');
    return c.json({ status: 'ok', database: { engine, postgis: rows[0].v } });
  });
}
