/**
 * OpenStreetMap import through GDAL's OSM driver: `ogr2ogr` reads the extract (.osm.pbf or
 * .osm) with the project's `geodata/osm/osmconf.ini`, which turns the tags we need into fields,
 * and writes each layer as GeoJSONSeq (one feature per line) to its stdout. We read the lines as
 * they come, sort each feature into gazetteer rows and base-map features, and insert them in
 * batches through `pg`, so both engines (PostgreSQL, PGlite behind its socket) are filled by the
 * same statements. Why GDAL and not osm2pgsql: docs/architecture.md, "Places".
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Geometry } from 'geojson';
import type pg from 'pg';
import type { BasemapInput, PlaceInput, PlaceNames } from './store.ts';
import { finishImport, insertBasemap, insertPlaces, placeRow, replaceSource, type ImportCounts } from './store.ts';

/** The project's OSM driver configuration. */
export const OSM_CONFIG = fileURLToPath(new URL('../../geodata/osm/osmconf.ini', import.meta.url));

type Props = Record<string, string | null | undefined>;
type OsmLayer = 'points' | 'lines' | 'multipolygons';

/** Road classes that carry a street name (a footway's name is a path's, not an address's). */
const STREET_ROADS = new Set([
  'motorway',
  'trunk',
  'primary',
  'secondary',
  'tertiary',
  'unclassified',
  'residential',
  'living_street',
  'service',
  'pedestrian',
  'road',
  'primary_link',
  'secondary_link',
  'tertiary_link',
  'trunk_link',
]);
const PLACES = new Set([
  'city',
  'town',
  'village',
  'hamlet',
  'suburb',
  'quarter',
  'neighbourhood',
  'locality',
  'isolated_dwelling',
  'borough',
  'city_block',
]);
/** What a 109 caller names as a landmark: schools, clinics, markets, stops, akimat and other offices. */
const POI_AMENITY = new Set([
  'school',
  'kindergarten',
  'college',
  'university',
  'clinic',
  'hospital',
  'doctors',
  'pharmacy',
  'marketplace',
  'townhall',
  'police',
  'post_office',
  'library',
  'community_centre',
  'fire_station',
  'courthouse',
  'bus_station',
  'place_of_worship',
  'bank',
  'theatre',
  'cinema',
]);
const POI_SHOP = new Set(['mall', 'supermarket', 'marketplace', 'department_store']);

function names(p: Props): PlaceNames {
  const n: PlaceNames = {};
  const set = (k: keyof PlaceNames, v: string | null | undefined) => {
    if (v && v.trim()) n[k] = v.trim();
  };
  set('name', p.name);
  set('kk', p['name:kk']);
  set('ru', p['name:ru']);
  set('en', p['name:en']);
  set('old', p.old_name);
  set('alt', p.alt_name);
  return n;
}

/** The names a base-map label may use: the local name and its kk, ru, en forms. */
function labelNames(n: PlaceNames): PlaceNames {
  const { name, kk, ru, en } = n;
  return Object.fromEntries(Object.entries({ name, kk, ru, en }).filter(([, v]) => v)) as PlaceNames;
}

function osmRef(p: Props, layer: OsmLayer): string | null {
  if (p.osm_id) return `${layer === 'points' ? 'n' : 'w'}${p.osm_id}`;
  if (p.osm_way_id) return `w${p.osm_way_id}`;
  return p.osm_id ?? null;
}

/** The POI class of a feature, or null: amenity, shop, office, bus stop, healthcare. */
function poiClass(p: Props): string | null {
  if (p.amenity && POI_AMENITY.has(p.amenity)) return p.amenity;
  if (p.shop && POI_SHOP.has(p.shop)) return p.shop;
  if (p.office === 'government' || p.government) return 'government';
  if (p.office) return `office`;
  if (
    p.highway === 'bus_stop' ||
    p.public_transport === 'platform' ||
    p.public_transport === 'stop_position' ||
    p.public_transport === 'station'
  )
    return 'bus_stop';
  if (p.healthcare) return 'clinic';
  return null;
}

/** Sorts one feature of a layer into gazetteer places and base-map features. */
export function classifyOsmFeature(layer: OsmLayer, p: Props, geometry: Geometry): { places: PlaceInput[]; basemap: BasemapInput[] } {
  const places: PlaceInput[] = [];
  const basemap: BasemapInput[] = [];
  const n = names(p);
  const ref = osmRef(p, layer);
  const hasName = Object.keys(n).length > 0;
  if (p['addr:housenumber']) {
    places.push({
      kind: 'address',
      ref,
      names: n,
      street: p['addr:street'] ?? p['addr:place'] ?? null,
      housenumber: p['addr:housenumber'],
      geometry,
    });
  }
  if (layer === 'lines') {
    const hw = p.highway;
    if (hw) {
      basemap.push({ layer: 'roads', class: hw, name: p.name ?? null, names: labelNames(n), geometry });
      if (hasName && STREET_ROADS.has(hw)) places.push({ kind: 'street', class: hw, ref, names: n, geometry });
    } else if (p.railway && ['rail', 'tram', 'light_rail', 'subway', 'narrow_gauge'].includes(p.railway)) {
      basemap.push({ layer: 'rail', class: p.railway, name: p.name ?? null, names: labelNames(n), geometry });
    } else if (p.waterway && ['river', 'stream', 'canal', 'ditch', 'drain'].includes(p.waterway)) {
      basemap.push({ layer: 'water', class: p.waterway, name: p.name ?? null, names: labelNames(n), geometry });
    }
    return { places, basemap };
  }
  if (p.place && PLACES.has(p.place) && hasName) places.push({ kind: 'place', class: p.place, ref, names: n, geometry });
  const poi = poiClass(p);
  if (poi && hasName) places.push({ kind: 'poi', class: poi, ref, names: n, geometry });
  if (layer === 'multipolygons') {
    if (p.building) basemap.push({ layer: 'buildings', class: p.building, name: p.name ?? null, names: labelNames(n), geometry });
    else if (p.natural === 'water' || p.water || p.waterway === 'riverbank' || p.landuse === 'reservoir')
      basemap.push({
        layer: 'water',
        class: p.water ?? p.natural ?? p.landuse ?? 'water',
        name: p.name ?? null,
        names: labelNames(n),
        geometry,
      });
    else if (
      ['park', 'garden', 'playground', 'pitch', 'stadium'].includes(p.leisure ?? '') ||
      ['grass', 'forest', 'recreation_ground', 'cemetery', 'meadow'].includes(p.landuse ?? '') ||
      p.natural === 'wood'
    )
      basemap.push({
        layer: 'parks',
        class: p.leisure ?? p.landuse ?? p.natural ?? 'park',
        name: p.name ?? null,
        names: labelNames(n),
        geometry,
      });
  }
  return { places, basemap };
}

/** Streams one layer of an extract out of ogr2ogr as GeoJSON features. */
async function* readLayer(file: string, layer: OsmLayer): AsyncGenerator<{ properties: Props; geometry: Geometry | null }> {
  const child = spawn('ogr2ogr', ['-f', 'GeoJSONSeq', '/vsistdout/', file, layer, '-oo', `CONFIG_FILE=${OSM_CONFIG}`, '-lco', 'RS=NO'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString();
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`ogr2ogr could not be started (is GDAL installed?): ${err.message}`)));
    child.on('close', (code) => resolve(code ?? 1));
  });
  try {
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      const t = (line.startsWith('\u001e') ? line.slice(1) : line).trim();
      if (t) yield JSON.parse(t);
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  // GDAL reports some bad input (e.g. negative node ids) as ERROR lines and still exits with 0:
  // an import that silently dropped objects is a failed import.
  if (code !== 0 || /^ERROR \d+:/m.test(stderr))
    throw new Error(`ogr2ogr failed on ${file} (${layer}): ${stderr.trim().split('\n').slice(-3).join(' ') || `exit ${code}`}`);
}

export interface OsmImportOptions {
  /** The source name the rows are kept under ('osm' by default): re-importing it replaces them. */
  source?: string;
  /** Rows per INSERT. */
  batch?: number;
}

/**
 * Imports an OSM extract into the gazetteer and the base-map table, replacing the previous import
 * of the same source. Runs inside the caller's transaction (`client` must be in one).
 */
export async function importOsm(client: pg.PoolClient, file: string, opts: OsmImportOptions = {}): Promise<ImportCounts> {
  const source = opts.source ?? 'osm';
  const size = opts.batch ?? 1000;
  await replaceSource(client, source);
  for (const layer of ['points', 'lines', 'multipolygons'] as const) {
    let rows: NonNullable<ReturnType<typeof placeRow>>[] = [];
    let base: BasemapInput[] = [];
    for await (const f of readLayer(file, layer)) {
      if (!f.geometry) continue;
      const { places, basemap } = classifyOsmFeature(layer, f.properties, f.geometry);
      for (const p of places) {
        const row = placeRow(p);
        if (row) rows.push(row);
      }
      base.push(...basemap);
      if (rows.length >= size) {
        await insertPlaces(client, source, rows);
        rows = [];
      }
      if (base.length >= size) {
        await insertBasemap(client, source, base);
        base = [];
      }
    }
    await insertPlaces(client, source, rows);
    await insertBasemap(client, source, base);
  }
  return finishImport(client, source, file.split('/').pop() ?? file);
}
