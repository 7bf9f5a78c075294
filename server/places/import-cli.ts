/**
 * npm run geodata:osm -- <extract.osm.pbf|extract.osm> [--source osm]
 * npm run geodata:addresses -- <file.csv|file.geojson> [--map street=COL,housenumber=COL,lng=COL,lat=COL,...] [--source NAME]
 *
 * Loads the city's streets, addresses, places and POIs (and base-map features, from OSM) into the
 * configured database (DATABASE_URL, or the embedded one in JARDEM_DATA_DIR). A re-import of a
 * source replaces its previous import in one transaction; a failed one changes nothing.
 * Registers: CSV defaults to OpenAddresses' columns (STREET, NUMBER, LON, LAT), GeoJSON to OSM
 * tags (addr:street, addr:housenumber, name...) and the feature's geometry.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase, withTransaction } from '../db/pool.ts';
import { importOsm } from './osm.ts';
import { importRegister, OPENADDRESSES, OSM_TAGS, parseMapping } from './register.ts';

const mode = process.argv[2];
const { values, positionals } = parseArgs({
  args: process.argv.slice(3),
  allowPositionals: true,
  options: { source: { type: 'string' }, map: { type: 'string' } },
});
const USAGE =
  mode === 'osm'
    ? 'Usage: npm run geodata:osm -- <extract.osm.pbf|extract.osm> [--source osm]'
    : 'Usage: npm run geodata:addresses -- <file.csv|file.geojson> [--map street=COL,housenumber=COL,lng=COL,lat=COL[,name=COL,...]] [--source NAME]';
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
    if (mode === 'osm') return importOsm(client, file, { source: values.source ?? 'osm' });
    const base = /\.(geo)?json$/i.test(file) ? OSM_TAGS : OPENADDRESSES;
    const source = values.source ?? `register:${file.split('/').pop()}`;
    return importRegister(client, file, parseMapping(values.map, base), source);
  });
  console.log(`${file}: ${JSON.stringify(counts)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`Import failed, nothing was changed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
