import pg from 'pg';
import type { Config } from '../config.ts';
import { startEmbeddedDatabase } from './embedded.ts';
import { ReadPool, ReplicaMonitor } from './replica.ts';
import { markOwnSessions } from './statements.ts';

// Return bigint counts and ids as JS numbers (ids stay far below 2^53) and numerics as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type Engine = 'postgres' | 'pglite';

export interface Database {
  engine: Engine;
  pool: pg.Pool;
  /**
   * Where stale-tolerant reads go (docs/operations.md, "Scaling past one machine"): a ReadPool
   * over the replica at DATABASE_REPLICA_URL, falling back to the primary; without a replica,
   * the primary's pool itself.
   */
  reads: pg.Pool;
  /** The replica's state and lag, when DATABASE_REPLICA_URL is set. */
  replica?: ReplicaMonitor;
  /** Closes the pool and, for the embedded engine, stops its process. */
  close(): Promise<void>;
}

/** Opens the configured database: PostgreSQL at DATABASE_URL, or the embedded PGlite. */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'JARDEM_DATA_DIR' | 'JARDEM_DB_POOL'> &
    Partial<Pick<Config, 'DATABASE_REPLICA_URL' | 'JARDEM_REPLICA_MAX_LAG_MS' | 'JARDEM_REPLICA_CHECK_MS'>> & { timezone?: string },
): Promise<Database> {
  if (config.DATABASE_URL) {
    const pool = markOwnSessions(createPool(config.DATABASE_URL, config.JARDEM_DB_POOL, config.timezone));
    if (!config.DATABASE_REPLICA_URL) return { engine: 'postgres', pool, reads: pool, close: () => pool.end() };
    // A replica that does not answer within 2 s is treated as down (reads go to the primary).
    const replicaPool = markOwnSessions(createPool(config.DATABASE_REPLICA_URL, config.JARDEM_DB_POOL, config.timezone, 2000));
    const replica = new ReplicaMonitor(pool, replicaPool, {
      maxLagMs: config.JARDEM_REPLICA_MAX_LAG_MS ?? 5000,
      checkEveryMs: config.JARDEM_REPLICA_CHECK_MS ?? 2000,
    });
    await replica.start();
    return {
      engine: 'postgres',
      pool,
      reads: markOwnSessions(new ReadPool(replica)),
      replica,
      close: async () => {
        replica.stop();
        await Promise.all([pool.end(), replicaPool.end()]);
      },
    };
  }
  const embedded = await startEmbeddedDatabase(config.JARDEM_DATA_DIR);
  const pool = createPool(embedded.url, config.JARDEM_DB_POOL, config.timezone);
  return {
    engine: 'pglite',
    pool,
    reads: pool,
    close: async () => {
      await pool.end();
      await embedded.stop();
    },
  };
}

/**
 * A pool whose sessions run in the city's time zone, so that "today" and date-only filters
 * mean the city's calendar day. Timestamps still travel as absolute instants. The zone is set
 * as part of connecting (PGlite ignores startup options), before the pool hands the client out.
 */
export function createPool(url: string, max: number, timezone = 'Asia/Almaty', connectTimeoutMs = 10_000): pg.Pool {
  // JIT compiling costs far more than it saves on our short queries (940 ms of a 1.2 s one, measured).
  // Parallel workers neither: on a few cores shared with Node and other requests they add
  // start-up and contention to queries of a few milliseconds (docs/performance.md).
  // work_mem: grouping the open appeals of a low-zoom tile (tens of thousands of rows) hashes
  // in memory rather than sorting on disk with the default 4 MB.
  const setZone = `SET TIME ZONE '${timezone.replace(/'/g, "''")}'; SET jit = off; SET max_parallel_workers_per_gather = 0; SET work_mem = '32MB'`;
  class CityClient extends pg.Client {
    // pg-pool connects with a callback; support both forms.
    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error | null, c?: pg.Client) => void): void;
    override connect(callback?: (err: Error | null, c?: pg.Client) => void): Promise<pg.Client> | void {
      const ready = super.connect().then(async () => {
        await super.query(setZone);
        return this as pg.Client;
      });
      if (!callback) return ready;
      ready.then(
        (c) => callback(null, c),
        (err: Error) => callback(err),
      );
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    Client: CityClient,
  });
  // An idle client that loses its server (a restart) must not crash the process; pg-pool drops
  // it. A checked-out client has a listener of its own (checkout.ts).
  pool.on('error', () => undefined);
  return pool;
}

// The checkout helpers live in checkout.ts; re-exported for the modules that import them from here.
export { checkout, withClient, withTransaction } from './checkout.ts';
