import type pg from 'pg';
import { catalogueChanged } from './catalogue/version.ts';
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

/** True once a city pack was loaded (its settings and its categories are there). */
export async function cityPackLoaded(db: pg.Pool | pg.ClientBase): Promise<boolean> {
  const { rows } = await db.query<{ loaded: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM city_settings WHERE key = 'city') AND EXISTS (SELECT 1 FROM categories) AS loaded`,
  );
  return rows[0].loaded;
}

/**
 * Loads the city pack into a database that has none. Districts imported before it (with
 * `geodata:import` on a fresh database) are kept, and the rest of the pack is loaded around them.
 */
export async function ensureCityPack(pool: pg.Pool, city: string): Promise<void> {
  if (await cityPackLoaded(pool)) return;
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM districts');
  const keepDistricts = rows[0].n > 0;
  const { skippedRules } = await loadCityPack(pool, await readCityPack(city), { keepDistricts });
  // Every cache hanging on the catalogue (codes, labels, /api/meta, cached answers), not only the codes (h-catfix).
  catalogueChanged(pool);
  if (keepDistricts) {
    log.warn(
      { city, districts: rows[0].n, skippedRules },
      'city pack loaded around districts imported before it: kept the imported districts; routing rules for pack districts they lack were skipped',
    );
  } else log.info({ city }, 'city pack loaded');
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
  await ensureCityPack(pool, opts.city);
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
    await (await import('./seed/work-orders.ts')).seedDemoWorkOrders(pool); // h-workorders: multi-service incidents (issue 18)
    log.info({ count: opts.demoCount, seconds: (Date.now() - t0) / 1000 }, 'demo history generated');
    await (await import('./seed/field-demo.ts')).seedFieldProof(pool, opts.city); // h-field: demo proof of work
    log.info(await (await import('./seed/closure-demo.ts')).seedClosureDemo(pool), 'demo closure proofs and ETAs');
  }
  if (await demoGazetteerWanted(pool)) {
    const { loadDemoGazetteer } = await import('./seed/gazetteer.ts');
    const { loadSeedCity } = await import('./seed/insert.ts');
    const counts = await loadDemoGazetteer(pool, await loadSeedCity(pool), opts.seed ?? 109);
    log.info({ counts }, 'demo gazetteer loaded');
  }
  if (rows[0].users === 0) {
    await createDemoUsers(pool);
    log.info('demo users created (password jardem-demo)');
  }
  // h-outages: the demo outages along demo streets, rebuilt relative to now.
  log.info({ count: await (await import('./seed/outages.ts')).loadDemoOutages(pool) }, 'demo outages loaded');
  await (await import('./seed/emergencies.ts')).seedEmergencyDemo(pool);
}

/**
 * The demo gazetteer (the demo layout's streets and houses, source 'demo') is loaded once per
 * database, and again for a database loaded before the demo had a base map — but never once the
 * city's own streets are imported (`geodata:osm`, `geodata:addresses` remove the demo's).
 */
export async function demoGazetteerWanted(pool: Pick<pg.Pool, 'query'>): Promise<boolean> {
  const { rows } = await pool.query<{ wanted: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM place_imports WHERE source <> 'demo')
        AND NOT (EXISTS (SELECT 1 FROM place_imports WHERE source = 'demo') AND EXISTS (SELECT 1 FROM basemap_features WHERE source = 'demo')) AS wanted`,
  );
  return rows[0].wanted;
}
