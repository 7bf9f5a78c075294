import type pg from 'pg';
import { invalidateCatalog } from './catalog.ts';
import { migrate } from './db/migrate.ts';
import { loadCityPack, readCityPack } from './geodata/pack.ts';
import { log } from './log.ts';
import { createDemoUsers, endDemoSessions, markSeededDemoUsers } from './users.ts';

export interface PrepareOptions {
  city: string;
  demo: boolean;
  demoCount: number;
  /** Seed for the demo history (deterministic). */
  seed?: number;
}

/**
 * Brings a database to a working state: migrations, then on an empty database the city pack,
 * and in demo mode a demo history and the demo users.
 */
export async function prepareDatabase(pool: pg.Pool, opts: PrepareOptions): Promise<void> {
  const applied = await migrate(pool);
  if (applied.length) log.info({ applied }, 'migrations applied');
  const { rows } = await pool.query<{ districts: number; incidents: boolean; users: number }>(
    `SELECT (SELECT count(*) FROM districts)::int AS districts, EXISTS (SELECT 1 FROM incidents) AS incidents,
            (SELECT count(*) FROM users)::int AS users`,
  );
  if (rows[0].districts === 0) {
    await loadCityPack(pool, readCityPack(opts.city));
    invalidateCatalog(pool);
    log.info({ city: opts.city }, 'city pack loaded');
  }
  const marked = await markSeededDemoUsers(pool);
  if (marked.length) log.info({ logins: marked }, 'demo accounts marked (they still had the demo password)');
  if (!opts.demo) {
    // The demo accounts stop working: no sign-in (server/auth/routes.ts) and no session left.
    const ended = await endDemoSessions(pool);
    if (ended) log.warn({ ended }, 'demo mode is off: sessions of demo accounts ended');
    return;
  }
  if (!rows[0].incidents && opts.demoCount > 0) {
    const t0 = Date.now();
    const { generateHistory } = await import('./seed/generate.ts');
    const { insertHistory, loadSeedCity } = await import('./seed/insert.ts');
    const city = await loadSeedCity(pool);
    await insertHistory(pool, generateHistory({ count: opts.demoCount, months: 12, seed: opts.seed ?? 109, now: new Date() }, city));
    log.info({ count: opts.demoCount, seconds: (Date.now() - t0) / 1000 }, 'demo history generated');
  }
  // The demo gazetteer: the demo layout's streets and houses (source 'demo'), once per database,
  // and again for a database loaded before the demo had a base map.
  const { rows: g } = await pool.query(
    `SELECT EXISTS (SELECT 1 FROM place_imports WHERE source = 'demo') AND EXISTS (SELECT 1 FROM basemap_features WHERE source = 'demo') AS loaded`,
  );
  if (!g[0].loaded) {
    const { loadDemoGazetteer } = await import('./seed/gazetteer.ts');
    const { loadSeedCity } = await import('./seed/insert.ts');
    const counts = await loadDemoGazetteer(pool, await loadSeedCity(pool), opts.seed ?? 109);
    log.info({ counts }, 'demo gazetteer loaded');
  }
  if (rows[0].users === 0) {
    await createDemoUsers(pool);
    log.info('demo users created (password jardem-demo)');
  }
}
