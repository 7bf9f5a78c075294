/**
 * npm run geodata:import -- <file.geojson|file.shp> [--code KATO] [--name-kk ADM2_KK]
 *   [--name-ru ADM2_RU] [--name-en ADM2_EN] [--population FIELD] [--where FIELD=VALUE]
 *   [--srid 4326] [--replace]
 *
 * Loads a city's official district boundaries into the configured database (DATABASE_URL, or
 * the embedded one in JARDEM_DATA_DIR) and re-derives every appeal's district. On a database
 * where the city pack (JARDEM_CITY) was not loaded yet, it loads the whole pack first.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/pool.ts';
import { importBoundaryFile } from './import-run.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    code: { type: 'string', default: 'code' },
    'name-kk': { type: 'string', default: 'name_kk' },
    'name-ru': { type: 'string', default: 'name_ru' },
    'name-en': { type: 'string', default: 'name_en' },
    population: { type: 'string' },
    where: { type: 'string', multiple: true, default: [] },
    srid: { type: 'string' },
    replace: { type: 'boolean', default: false },
  },
});

if (positionals.length === 0) {
  console.error(
    'Usage: npm run geodata:import -- <file.geojson|file.shp> [--code FIELD] [--name-kk FIELD] [--name-ru FIELD] [--name-en FIELD] [--population FIELD] [--where FIELD=VALUE] [--srid N] [--replace]',
  );
  process.exit(2);
}

const filters = values.where.map((w) => {
  const i = w.indexOf('=');
  if (i < 1) throw new Error(`--where expects FIELD=VALUE, got "${w}"`);
  return [w.slice(0, i), w.slice(i + 1)] as const;
});

const config = loadConfig();
const db = await openDatabase(config);
try {
  await migrate(db.pool);
  for (const file of positionals) {
    const result = await importBoundaryFile(db.pool, {
      city: config.JARDEM_CITY,
      file,
      fields: {
        code: values.code,
        nameKk: values['name-kk'],
        nameRu: values['name-ru'],
        nameEn: values['name-en'],
        population: values.population,
      },
      where: filters,
      srid: values.srid ? Number(values.srid) : undefined,
      replace: values.replace,
    });
    if (result.packLoaded)
      console.log(`The city pack ${config.JARDEM_CITY} was not loaded yet: loaded it first (categories, services, routing, holidays).`);
    console.log(
      `${file}: ${result.imported} districts imported (${result.repaired} repaired), ${result.removed} removed, ${result.reassigned} appeals re-assigned to a district`,
    );
  }
} catch (err) {
  console.error(`Import failed, nothing was changed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
