import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Which source fields become a district's code, names and population. */
export interface FieldMapping {
  code: string;
  nameKk: string;
  nameRu: string;
  nameEn: string;
  population?: string;
}

export interface SourceFeature {
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates?: unknown } | null;
}

export interface ImportResult {
  imported: number;
  /** Geometries that were invalid and were repaired with ST_MakeValid. */
  repaired: number;
  /** Districts removed because the import replaced the set (with `replace`). */
  removed: number;
  /** Incidents whose district changed when districts were re-derived. */
  reassigned: number;
}

/** Codes are lowercase slugs: "Сарыарқа" stays readable, "711310000" stays as is. */
export function slugCode(value: unknown): string {
  const s = String(value ?? '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_-]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const ascii = /^[a-z0-9_-]+$/.test(s) ? s : encodeURIComponent(s).replace(/%/g, '').toLowerCase();
  return ascii.slice(0, 64);
}

/** Reads features from a GeoJSON file or an ESRI Shapefile (.shp with its .dbf, .prj, .cpg). */
export async function readFeatures(file: string): Promise<{ features: SourceFeature[]; srid: number }> {
  if (/\.shp$/i.test(file)) {
    const shapefile = await import('shapefile');
    const base = file.replace(/\.shp$/i, '');
    let encoding = 'utf-8';
    try {
      encoding = readFileSync(`${base}.cpg`, 'utf8').trim() || encoding;
    } catch {
      // no .cpg: dBASE text is assumed UTF-8
    }
    // A geographic .prj (GEOGCS) is taken as WGS 84; a projected one needs --srid.
    let srid = 4326;
    try {
      if (/^\s*PROJCS/i.test(readFileSync(`${base}.prj`, 'utf8'))) srid = 0;
    } catch {
      // no .prj: assume WGS 84, as most city GIS exports are
    }
    const source = await shapefile.open(file, `${base}.dbf`, { encoding });
    const features: SourceFeature[] = [];
    for (;;) {
      const r = await source.read();
      if (r.done) break;
      features.push(r.value as SourceFeature);
    }
    return { features, srid };
  }
  const json = JSON.parse(readFileSync(file, 'utf8'));
  if (json?.type !== 'FeatureCollection' || !Array.isArray(json.features)) throw new Error(`${file} is not a GeoJSON FeatureCollection`);
  const crs: string = json.crs?.properties?.name ?? 'EPSG:4326';
  const m = /EPSG::?(\d+)/.exec(crs);
  return {
    features: json.features,
    srid: /CRS84$/.test(crs) ? 4326 : m ? Number(m[1]) : 4326,
  };
}

/** Why a Polygon or MultiPolygon's coordinates cannot be read (null when they can). */
function badPolygon(g: { type: string; coordinates?: unknown }): string | null {
  const position = (p: unknown) =>
    Array.isArray(p) && p.length >= 2 && p.length <= 4 && p.every((x) => typeof x === 'number' && Number.isFinite(x));
  const ring = (r: unknown) => Array.isArray(r) && r.length >= 4 && r.every(position);
  const polygon = (rings: unknown) => Array.isArray(rings) && rings.length >= 1 && rings.every(ring);
  const ok =
    g.type === 'Polygon'
      ? polygon(g.coordinates)
      : Array.isArray(g.coordinates) && g.coordinates.length >= 1 && g.coordinates.every(polygon);
  return ok ? null : 'coordinates must be rings of at least 4 finite [x, y] positions';
}

/**
 * Loads official district boundaries: each feature's geometry is given its SRID, repaired if
 * invalid (ST_MakeValid, polygons only), transformed to EPSG:4326 and upserted by code. Then
 * every incident's district is derived again from its point. With `replace`, districts that
 * the import does not contain are removed (their routing rules too). Run it in a transaction
 * (the CLI does): a bad feature then leaves the database as it was.
 */
export async function importDistricts(
  db: pg.ClientBase,
  features: SourceFeature[],
  fields: FieldMapping,
  opts: { srid?: number; replace?: boolean; source?: string } = {},
): Promise<ImportResult> {
  const srid = opts.srid ?? 4326;
  if (!srid) throw new Error('The source is not in WGS 84; pass its EPSG code with --srid');
  const rows = features.map((f, n) => {
    const p = f.properties ?? {};
    const code = slugCode(p[fields.code]);
    if (!code) throw new Error(`Feature ${n + 1}: field "${fields.code}" is empty`);
    if (!f.geometry || !/Polygon$/.test(f.geometry.type))
      throw new Error(`Feature ${n + 1} (${code}): geometry must be a Polygon or MultiPolygon`);
    const bad = badPolygon(f.geometry);
    if (bad) throw new Error(`Feature ${n + 1} (${code}): ${bad}`);
    const name = (k: string) => String(p[k] ?? '').trim() || String(p[fields.code]);
    const pop = fields.population ? Number(p[fields.population]) : NaN;
    return {
      code,
      kk: name(fields.nameKk),
      ru: name(fields.nameRu),
      en: name(fields.nameEn),
      population: Number.isFinite(pop) ? Math.round(pop) : null,
      geometry: JSON.stringify(f.geometry),
    };
  });
  const dup = rows.map((r) => r.code).find((c, i, all) => all.indexOf(c) !== i);
  if (dup) throw new Error(`Two features have the code "${dup}"; choose another --code field`);

  {
    // Re-deriving districts touches every appeal: no live event per row.
    await db.query(`SET LOCAL jardem.bulk_load TO 'on'`);
    let repaired = 0;
    for (const r of rows) {
      const { rows: res } = await db.query<{ repaired: boolean }>(
        `WITH src AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($6), $8::int) AS g),
              fixed AS (SELECT ST_IsValid(g) AS was_valid,
                               ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Force2D(g)), 3)) AS g FROM src)
         INSERT INTO districts (code, name_kk, name_ru, name_en, population, approximate, source, geom)
         SELECT $1, $2, $3, $4, $5, false, $7, ST_Transform(g, 4326) FROM fixed WHERE NOT ST_IsEmpty(g)
         ON CONFLICT (code) DO UPDATE SET name_kk = EXCLUDED.name_kk, name_ru = EXCLUDED.name_ru, name_en = EXCLUDED.name_en,
           population = coalesce(EXCLUDED.population, districts.population), approximate = false, source = EXCLUDED.source, geom = EXCLUDED.geom
         RETURNING NOT (SELECT was_valid FROM fixed) AS repaired`,
        [r.code, r.kk, r.ru, r.en, r.population, r.geometry, opts.source ?? 'import', srid],
      );
      if (!res[0]) throw new Error(`District ${r.code}: the geometry is empty after repair`);
      if (res[0].repaired) repaired++;
    }
    const codes = rows.map((r) => r.code);
    const { rowCount: reassigned } = await db.query(
      `UPDATE incidents i SET district_id = d.id
         FROM (SELECT i2.id AS incident_id,
                      (SELECT d2.id FROM districts d2 WHERE ST_Intersects(d2.geom, i2.geom) ${opts.replace ? 'AND d2.code = ANY($1::text[])' : ''} ORDER BY d2.id LIMIT 1) AS id
                 FROM incidents i2) d
        WHERE d.incident_id = i.id AND i.district_id IS DISTINCT FROM d.id`,
      opts.replace ? [codes] : [],
    );
    let removed = 0;
    if (opts.replace) {
      await db.query(`DELETE FROM routing_rules WHERE district_id IN (SELECT id FROM districts WHERE NOT (code = ANY($1::text[])))`, [
        codes,
      ]);
      await db.query(
        `UPDATE users SET district_ids = ARRAY(SELECT unnest(district_ids) INTERSECT SELECT id FROM districts WHERE code = ANY($1::text[]))`,
        [codes],
      );
      removed = (await db.query(`DELETE FROM districts WHERE NOT (code = ANY($1::text[]))`, [codes])).rowCount ?? 0;
    }
    return {
      imported: rows.length,
      repaired,
      removed,
      reassigned: reassigned ?? 0,
    };
  }
}
