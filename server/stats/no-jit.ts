import pg from 'pg';
import type { Queryable } from './rollup.ts';

/**
 * PostgreSQL compiles a query to machine code (JIT, with LLVM) when its estimated cost passes
 * jit_above_cost (100,000 by default). Analytics queries pass it on estimates alone (per-point
 * PostGIS functions, ST_ClusterDBSCAN, scans of a long period) and then spend most of their
 * time compiling: 940 ms of 1,180 ms for the clusters of 43,000 appeals, measured on
 * PostgreSQL 15. They run on connections with jit off; the setting stays with the connection
 * (harmless for the short queries of the rest of the API). PGlite has no JIT and accepts the
 * setting.
 */
const jitOff = new WeakSet<object>();

async function turnOff(client: Queryable): Promise<void> {
  if (jitOff.has(client)) return;
  await client.query('SET jit = off');
  jitOff.add(client);
}

/** Runs `fn` on a connection with JIT off: a client of the pool, or the given client itself. */
export async function withoutJit<T>(db: Queryable, fn: (db: Queryable) => Promise<T>): Promise<T> {
  if (db instanceof pg.Pool) {
    const client = await db.connect();
    try {
      await turnOff(client);
      return await fn(client);
    } finally {
      client.release();
    }
  }
  await turnOff(db);
  return fn(db);
}
