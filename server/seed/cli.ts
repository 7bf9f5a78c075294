/**
 * npm run seed -- --count 20000 --months 12 --seed 109 [--append] [--now 2025-11-24T09:00:00Z] [--batch 2000]
 *
 * Fills the configured database (DATABASE_URL, or the embedded one in JARDEM_DATA_DIR) with demo
 * history: migrates, loads the city pack if there are no districts yet, then generates and
 * inserts the appeals. Refuses to add to a database that already has appeals unless --append.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/pool.ts';
import { loadCityPack, readCityPack } from '../geodata/pack.ts';
import { loadDemoGazetteer } from './gazetteer.ts';
import { generateHistory } from './generate.ts';
import { insertHistory, loadSeedCity } from './insert.ts';
import { seedDemoWorkOrders } from './work-orders.ts';

const USAGE = 'Usage: npm run seed -- [--count 20000] [--months 12] [--seed 109] [--append] [--now ISO-8601] [--batch 2000]';

function parse() {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '20000' },
      months: { type: 'string', default: '12' },
      seed: { type: 'string', default: '109' },
      append: { type: 'boolean', default: false },
      now: { type: 'string' },
      batch: { type: 'string', default: '2000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const count = Number(values.count);
  const months = Number(values.months);
  const batch = Number(values.batch);
  const now = values.now ? new Date(values.now) : new Date();
  if (!Number.isInteger(count) || count < 0) throw new Error(`--count must be a whole number ≥ 0, got "${values.count}"`);
  if (!(months > 0) || months > 120) throw new Error(`--months must be a number in (0, 120], got "${values.months}"`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch must be a whole number ≥ 1, got "${values.batch}"`);
  if (Number.isNaN(now.getTime())) throw new Error(`--now must be an ISO 8601 date and time, got "${values.now}"`);
  return { count, months, seed: values.seed, append: values.append, now, batch, help: values.help };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    console.log(`Database: ${db.engine === 'pglite' ? `embedded (${config.JARDEM_DATA_DIR})` : 'PostgreSQL (DATABASE_URL)'}`);
    const applied = await migrate(db.pool);
    if (applied.length) console.log(`Migrations applied: ${applied.join(', ')}`);
    const { rows: d } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM districts');
    if (d[0].n === 0) {
      console.log(`Loading the city pack geodata/${config.JARDEM_CITY}/ ...`);
      await loadCityPack(db.pool, await readCityPack(config.JARDEM_CITY));
    }
    const { rows: existing } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM incidents LIMIT 1) x');
    if (existing[0].n > 0 && !args.append) {
      console.error(
        'The database already has appeals; not adding demo history to it. Pass --append to add anyway, or seed an empty database.',
      );
      return 1;
    }
    const city = await loadSeedCity(db.pool);
    console.log(
      `Generating ${args.count.toLocaleString('en')} appeals over ${args.months} months up to ${args.now.toISOString()} (seed ${args.seed}): ` +
        `${city.districts.length} districts, ${city.categories.length} categories`,
    );
    let lastPrint = 0;
    const result = await insertHistory(
      db.pool,
      generateHistory({ count: args.count, months: args.months, seed: args.seed, now: args.now }, city),
      {
        batch: args.batch,
        onProgress: ({ inserted, elapsedMs }) => {
          if (elapsedMs - lastPrint < 2000 && inserted < args.count) return;
          lastPrint = elapsedMs;
          const pct = args.count ? ((100 * inserted) / args.count).toFixed(1) : '100';
          console.log(
            `  ${inserted.toLocaleString('en')} / ${args.count.toLocaleString('en')} (${pct} %), ${Math.round(inserted / (elapsedMs / 1000)).toLocaleString('en')} rows/s`,
          );
        },
      },
    );
    const seconds = result.elapsedMs / 1000;
    console.log(
      `Inserted ${result.inserted.toLocaleString('en')} appeals and ${result.events.toLocaleString('en')} events in ${seconds.toFixed(1)} s ` +
        `(${Math.round(result.inserted / Math.max(seconds, 0.001)).toLocaleString('en')} appeals/s).`,
    );
    console.log(`Work orders of several services (issue 18): ${await seedDemoWorkOrders(db.pool)} rows of history.`);
    const places = await loadDemoGazetteer(db.pool, city, args.seed);
    console.log(`Demo gazetteer (source 'demo'): ${places.street} streets, ${places.address} addresses, ${places.place} microdistricts.`);
    await db.pool.query('ANALYZE incidents, incident_events, incident_reporters, places, place_terms');
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
