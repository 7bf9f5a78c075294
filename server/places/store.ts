/**
 * Writing a gazetteer import: rows go in batches as one JSON parameter each (one statement per
 * batch, the same on PostgreSQL and on PGlite behind its socket), streets are merged by name per
 * district, addresses take their street's key, districts are derived in PostGIS and the trigram
 * vocabulary is rebuilt. The caller holds one transaction around `replaceSource` … `finishImport`,
 * so a failed import leaves the previous one of that source as it was.
 */
import type pg from 'pg';
import type { Geometry } from 'geojson';
import { normaliseName, parseHouseNumber } from './normalise.ts';

export type PlaceKind = 'address' | 'street' | 'place' | 'poi' | 'district';

/** Names as a source gives them; any may be missing. */
export interface PlaceNames {
  name?: string;
  kk?: string;
  ru?: string;
  en?: string;
  old?: string;
  alt?: string;
}

/** One place as an importer reads it, before normalisation. */
export interface PlaceInput {
  kind: PlaceKind;
  class?: string | null;
  ref?: string | null;
  names: PlaceNames;
  street?: string | null;
  housenumber?: string | null;
  /** Any geometry in EPSG:4326, [lng, lat]; addresses and POIs are stored as a point on it. */
  geometry: Geometry;
}

export interface BasemapInput {
  layer: 'roads' | 'buildings' | 'water' | 'parks' | 'rail';
  class: string | null;
  name: string | null;
  /** The name in every language the source gives (kk, ru, en), for labels in the interface's language. */
  names?: PlaceNames;
  geometry: Geometry;
}

/** Every normalised key of a set of names ("Абай даңғылы", "пр. Абая", "Abay ave" → one or two keys). */
export function nameKeys(names: PlaceNames): string[] {
  const keys = new Set<string>();
  for (const v of [names.name, names.ru, names.kk, names.en, names.old, names.alt]) {
    // OSM separates several values with ";".
    for (const part of (v ?? '').split(';')) {
      const k = normaliseName(part).key;
      if (k) keys.add(k);
    }
  }
  return [...keys];
}

interface Row {
  kind: PlaceKind;
  class: string | null;
  ref: string | null;
  names: PlaceNames;
  street: string | null;
  housenumber: string | null;
  street_key: string | null;
  house_key: string | null;
  house_num: number | null;
  keys: string[];
  geom: Geometry;
}

/** The row a place becomes, or null when it has nothing to be found by. */
export function placeRow(p: PlaceInput): Row | null {
  const keys = nameKeys(p.names);
  if (p.kind === 'address') {
    const house = p.housenumber ? parseHouseNumber(p.housenumber) : null;
    const streetKey = p.street ? normaliseName(p.street).key : null;
    // An address needs a number; without a street it is still found by a place's name (mkr + number) or reverse.
    if (!p.housenumber?.trim()) return null;
    return {
      kind: 'address',
      class: p.class ?? null,
      ref: p.ref ?? null,
      names: p.names,
      street: p.street?.trim() || null,
      housenumber: p.housenumber.trim(),
      street_key: streetKey || null,
      house_key: house?.key ?? p.housenumber.trim().toLowerCase(),
      house_num: house?.number ?? null,
      keys,
      geom: p.geometry,
    };
  }
  if (!keys.length) return null;
  return {
    kind: p.kind,
    class: p.class ?? null,
    ref: p.ref ?? null,
    names: p.names,
    street: null,
    housenumber: null,
    street_key: keys[0],
    house_key: null,
    house_num: null,
    keys,
    geom: p.geometry,
  };
}

/** Removes the previous import of a source (inside the caller's transaction). */
export async function replaceSource(client: pg.PoolClient, source: string): Promise<void> {
  await client.query('DELETE FROM places WHERE source = $1', [source]);
  await client.query('DELETE FROM basemap_features WHERE source = $1', [source]);
  // Street segments wait here until finishImport merges them.
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS place_street_parts (
       id bigserial, names jsonb, street_key text, keys text[], class text, ref text, geom geometry
     ) ON COMMIT DROP`,
  );
}

/** Inserts one batch of places; streets go to the segments table to be merged at the end. */
export async function insertPlaces(client: pg.PoolClient, source: string, rows: Row[]): Promise<void> {
  const streets = rows.filter((r) => r.kind === 'street');
  const others = rows.filter((r) => r.kind !== 'street');
  if (others.length) {
    await client.query(
      `INSERT INTO places (source, kind, class, ref, names, street, housenumber, street_key, house_key, house_num, keys, geom)
       SELECT $1, r->>'kind', r->>'class', r->>'ref', r->'names', r->>'street', r->>'housenumber', r->>'street_key',
              r->>'house_key', (r->>'house_num')::int,
              ARRAY(SELECT jsonb_array_elements_text(r->'keys')),
              CASE WHEN r->>'kind' IN ('address', 'poi') OR (r->>'kind' = 'place' AND GeometryType(g) NOT LIKE '%POLYGON')
                   THEN ST_PointOnSurface(g) ELSE g END
         FROM jsonb_array_elements($2::jsonb) AS r,
              LATERAL ST_SetSRID(ST_GeomFromGeoJSON(r->>'geom'), 4326) AS g
        WHERE NOT ST_IsEmpty(g)`,
      [source, JSON.stringify(others)],
    );
  }
  if (streets.length) {
    await client.query(
      `INSERT INTO place_street_parts (names, street_key, keys, class, ref, geom)
       SELECT r->'names', r->>'street_key', ARRAY(SELECT jsonb_array_elements_text(r->'keys')), r->>'class', r->>'ref',
              ST_SetSRID(ST_GeomFromGeoJSON(r->>'geom'), 4326)
         FROM jsonb_array_elements($1::jsonb) AS r`,
      [JSON.stringify(streets)],
    );
  }
}

/** Inserts one batch of base-map features. */
export async function insertBasemap(client: pg.PoolClient, source: string, rows: BasemapInput[]): Promise<void> {
  if (!rows.length) return;
  await client.query(
    `INSERT INTO basemap_features (source, layer, class, name, names, geom)
     SELECT $1, r->>'layer', r->>'class', r->>'name', coalesce(r->'names', '{}'::jsonb), ST_SetSRID(ST_GeomFromGeoJSON(r->>'geometry'), 4326)
       FROM jsonb_array_elements($2::jsonb) AS r`,
    [source, JSON.stringify(rows)],
  );
}

export interface ImportCounts {
  address: number;
  street: number;
  place: number;
  poi: number;
  basemap: number;
}

/**
 * Ends an import: street segments merged into one line per name and district, districts derived,
 * addresses given their street's key (so a street's old or Kazakh name finds its houses), the
 * trigram vocabulary rebuilt, the import recorded. Returns what the source now holds.
 */
export async function finishImport(client: pg.PoolClient, source: string, file: string | null): Promise<ImportCounts> {
  // The district of a segment is the one holding a point on it (the lowest id on a shared boundary).
  await client.query(
    `WITH parts AS (
       SELECT p.*, (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ST_PointOnSurface(p.geom)) ORDER BY d.id LIMIT 1) AS district_id
         FROM place_street_parts p
     ), merged AS (
       SELECT street_key, district_id, min(class) AS class, min(ref) AS ref, (array_agg(names ORDER BY id))[1] AS names,
              ST_LineMerge(ST_CollectionExtract(ST_Collect(geom), 2)) AS geom
         FROM parts GROUP BY street_key, district_id
     )
     INSERT INTO places (source, kind, class, ref, names, street_key, keys, geom, district_id)
     SELECT $1, 'street', m.class, m.ref, m.names, m.street_key,
            ARRAY(SELECT DISTINCT k FROM place_street_parts p, unnest(p.keys) AS k WHERE p.street_key = m.street_key),
            m.geom, m.district_id
       FROM merged m WHERE NOT ST_IsEmpty(m.geom)`,
    [source],
  );
  await client.query('TRUNCATE place_street_parts');
  await client.query(
    `UPDATE places p SET district_id = (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ST_PointOnSurface(p.geom)) ORDER BY d.id LIMIT 1)
      WHERE p.source = $1 AND p.kind <> 'street'`,
    [source],
  );
  await client.query(
    `UPDATE places a SET street_key = s.street_key
       FROM (SELECT DISTINCT ON (k) k, street_key FROM places, unnest(keys) AS k
              WHERE kind = 'street' AND source = $1 ORDER BY k, id) s
      WHERE a.kind = 'address' AND a.source = $1 AND a.street_key = s.k AND a.street_key <> s.street_key`,
    [source],
  );
  await syncDistrictPlaces(client);
  await rebuildTerms(client);
  const { rows } = await client.query<ImportCounts>(
    `SELECT count(*) FILTER (WHERE kind = 'address')::int AS address, count(*) FILTER (WHERE kind = 'street')::int AS street,
            count(*) FILTER (WHERE kind = 'place')::int AS place, count(*) FILTER (WHERE kind = 'poi')::int AS poi,
            (SELECT count(*) FROM basemap_features WHERE source = $1)::int AS basemap
       FROM places WHERE source = $1`,
    [source],
  );
  await client.query(
    `INSERT INTO place_imports (source, file, imported_at, counts) VALUES ($1, $2, now(), $3)
     ON CONFLICT (source) DO UPDATE SET file = excluded.file, imported_at = excluded.imported_at, counts = excluded.counts`,
    [source, file, JSON.stringify(rows[0])],
  );
  return rows[0];
}

/** The city's districts as places (source 'districts'), so that a district's name is found too. */
export async function syncDistrictPlaces(client: pg.PoolClient | pg.Pool): Promise<void> {
  const { rows } = await client.query<{ id: number; code: string; name_kk: string; name_ru: string; name_en: string }>(
    'SELECT id, code, name_kk, name_ru, name_en FROM districts ORDER BY id',
  );
  await client.query(`DELETE FROM places WHERE source = 'districts'`);
  const list = rows.map((d) => {
    const keys = nameKeys({ kk: d.name_kk, ru: d.name_ru, en: d.name_en });
    return { id: d.id, code: d.code, names: { name: d.name_ru, kk: d.name_kk, ru: d.name_ru, en: d.name_en }, key: keys[0], keys };
  });
  await client.query(
    `INSERT INTO places (source, kind, class, ref, names, street_key, keys, geom, district_id)
     SELECT 'districts', 'district', 'district', r->>'code', r->'names', r->>'key', ARRAY(SELECT jsonb_array_elements_text(r->'keys')),
            ST_PointOnSurface(d.geom), d.id
       FROM jsonb_array_elements($1::jsonb) AS r JOIN districts d ON d.id = (r->>'id')::int
      WHERE r->>'key' IS NOT NULL`,
    [JSON.stringify(list)],
  );
}

/** The vocabulary of every source: each name of a named place → its key; each address's street key → itself. */
export async function rebuildTerms(client: pg.PoolClient | pg.Pool): Promise<void> {
  await client.query('DELETE FROM place_terms');
  await client.query(
    `INSERT INTO place_terms (term, street_key)
     SELECT k, street_key FROM places, unnest(keys) AS k WHERE kind <> 'address' AND street_key IS NOT NULL
     UNION
     SELECT DISTINCT street_key, street_key FROM places WHERE kind = 'address' AND street_key IS NOT NULL`,
  );
}

/** Removes a source entirely (rows and vocabulary), in the caller's transaction. */
export async function removeSource(client: pg.PoolClient, source: string): Promise<void> {
  await client.query('DELETE FROM places WHERE source = $1', [source]);
  await client.query('DELETE FROM basemap_features WHERE source = $1', [source]);
  await client.query('DELETE FROM place_imports WHERE source = $1', [source]);
  await rebuildTerms(client);
}
