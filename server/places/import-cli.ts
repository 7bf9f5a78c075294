/**
 * npm run geodata:osm -- <extract.osm.pbf|extract.osm> [--source osm] [--keep-demo]
 * npm run geodata:addresses -- <file.csv|file.geojson> [--map street=COL,housenumber=COL,lng=COL,lat=COL,...] [--source NAME] [--keep-demo]
 *
 * Loads the city's streets, addresses, places and POIs (and base-map features, from OSM) into the
 * configured database (DATABASE_URL, or the embedded one in JARDEM_DATA_DIR). A re-import of a
 * source replaces its previous import in one transaction; a failed one changes nothing.
 * Registers: CSV defaults to OpenAddresses' columns (STREET, NUMBER, LON, LAT), GeoJSON to OSM
 * tags (addr:street, addr:housenumber, name...) and the feature's geometry.
 * The demo's synthetic streets and houses are removed in the same transaction (the city's own
 * geography replaces them) unless `--keep-demo` is given.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase, withTransaction } from '../db/pool.ts';
import { importOsm } from './osm.ts';
import { DEMO_SOURCE } from '../seed/gazetteer.ts';
import { importRegister, OPENADDRESSES, OSM_TAGS, parseMapping } from './register.ts';
import { removeSource } from './store.ts';

const mode = process.argv[2];
const { values, positionals } = parseArgs({
  args: process.argv.slice(3),
  allowPositionals: true,
  options: { source: { type: 'string' }, map: { type: 'string' }, 'keep-demo': { type: 'boolean' } },
});
const USAGE =
  mode === 'osm'
    ? 'Usage: npm run geodata:osm -- <extract.osm.pbf|extract.osm> [--source osm] [--keep-demo]'
    : 'Usage: npm run geodata:addresses -- <file.csv|file.geojson> [--map street=COL,housenumber=COL,lng=COL,lat=COL[,name=COL,...]] [--source NAME] [--keep-demo]';
if ((mode !== 'osm' && mode !== 'addresses') || positionals.length !== 1) {
  console.error(USAGE);
  process.exit(2);
}
const file = positionals[0];
const config = loadConfig();
const db = await openDatabase(config);
try {
  await migrate(db.pool);
  const t0 = Date.now();
  const counts = await withTransaction(db.pool, async (client) => {
    const base = /\.(geo)?json$/i.test(file) ? OSM_TAGS : OPENADDRESSES;
    const source = values.source ?? (mode === 'osm' ? 'osm' : `register:${file.split('/').pop()}`);
    const imported =
      mode === 'osm'
        ? await importOsm(client, file, { source })
        : await importRegister(client, file, parseMapping(values.map, base), source);
    if (!values['keep-demo'] && source !== DEMO_SOURCE) await removeSource(client, DEMO_SOURCE);
    return imported;
  });
  console.log(`${file}: ${JSON.stringify(counts)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`Import failed, nothing was changed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
