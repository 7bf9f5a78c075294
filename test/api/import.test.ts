import { readFileSync } from 'node:fs';
import { booleanPointInPolygon } from '@turf/turf';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { importDistricts, readFeatures } from '../../server/geodata/import.ts';
import { eachInRollback, testApp } from '../helpers/app.ts';
import { sharedData } from '../helpers/shared-data.ts';

// Real boundaries (Kazakhstan ADM2 2024, CC BY 4.0) read from the shared data folder.
const ASTANA = sharedData('kz/astana-districts.geojson');
const SHAPEFILE = sharedData('kz/shapefile/kaz_admbnda_adm2_2024.shp');
const FIELDS = { code: 'KATO', nameKk: 'ADM2_KK', nameRu: 'ADM2_RU', nameEn: 'ADM2_EN' };

const t = testApp();

// Every test runs in a transaction that is rolled back: the shared test city comes back as it was.
const db = eachInRollback(t.pool);

async function insertPoint(lng: number, lat: number): Promise<number> {
  const { rows } = await db().query(
    `INSERT INTO incidents (number, type, category_id, channel, priority, description, geom, due_at)
     VALUES ('T-' || nextval('incident_number_seq'), 'complaint', (SELECT min(id) FROM categories), 'phone', 3, 'import test',
             ST_SetSRID(ST_MakePoint($1, $2), 4326), now()) RETURNING id`,
    [lng, lat],
  );
  return rows[0].id;
}

describe('boundary import', () => {
  it('loads Astana districts from GeoJSON and derives districts that agree with the polygons', async () => {
    const { features, srid } = await readFeatures(ASTANA);
    const result = await importDistricts(db(), features, FIELDS, { srid });
    expect(result.imported).toBe(5);
    const names = (await db().query(`SELECT name_kk FROM districts WHERE code = '711310000'`)).rows;
    expect(names[0].name_kk).toBe('Сарыарқа');

    // Random points over Astana's extent: PostGIS must put each in the district turf finds.
    const rng = seedrandom('astana');
    let inside = 0;
    for (let n = 0; n < 150; n++) {
      const lng = 71.2 + rng() * 0.45;
      const lat = 50.95 + rng() * 0.3;
      const id = await insertPoint(lng, lat);
      const expected = features.find((f) => booleanPointInPolygon([lng, lat], f.geometry as any))?.properties.KATO ?? null;
      const { rows } = await db().query('SELECT d.code FROM incidents i LEFT JOIN districts d ON d.id = i.district_id WHERE i.id = $1', [
        id,
      ]);
      if (expected) {
        inside++;
        expect(rows[0].code).toBe(expected);
      } else {
        // Outside Astana: no Astana district (the point may not be in any Taraz district either).
        expect(rows[0].code ?? '').not.toMatch(/^711/);
      }
    }
    expect(inside).toBeGreaterThan(50);
  });

  it('loads a city from the national Shapefile, replacing the districts and re-deriving appeals', async () => {
    const { features, srid } = await readFeatures(SHAPEFILE);
    expect(features.length).toBe(224);
    const astana = features.filter((f) => f.properties.ADM1_EN === 'Astana (city)');
    const before = (await db().query('SELECT count(*)::int AS n FROM incidents WHERE district_id IS NOT NULL')).rows[0].n;
    const result = await importDistricts(db(), astana, FIELDS, { srid, replace: true });
    expect(result).toMatchObject({ imported: 5 });
    expect(result.removed).toBeGreaterThanOrEqual(10);
    // Taraz appeals are not in Astana: all of them lose their district.
    expect(result.reassigned).toBe(before);
    const codes = (await db().query('SELECT code FROM districts ORDER BY code')).rows.map((r) => r.code);
    expect(codes).toEqual(['711110000', '711210000', '711310000', '711410000', '711510000']);
    const id = await insertPoint(71.43, 51.13);
    const { rows } = await db().query('SELECT d.name_en FROM incidents i JOIN districts d ON d.id = i.district_id WHERE i.id = $1', [id]);
    expect(rows).toHaveLength(1);
  });

  it('repairs an invalid polygon instead of storing it', async () => {
    const bowtie = {
      properties: { KATO: 'bowtie', ADM2_KK: 'Тест', ADM2_RU: 'Тест', ADM2_EN: 'Test' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [71.3, 42.9],
            [71.31, 42.91],
            [71.31, 42.9],
            [71.3, 42.91],
            [71.3, 42.9],
          ],
        ],
      },
    };
    const result = await importDistricts(db(), [bowtie], FIELDS);
    expect(result.repaired).toBe(1);
    const { rows } = await db().query(`SELECT ST_IsValid(geom) AS ok, GeometryType(geom) AS type FROM districts WHERE code = 'bowtie'`);
    expect(rows[0]).toEqual({ ok: true, type: 'MULTIPOLYGON' });
  });

  it('refuses a feature that is not a polygon, naming it', async () => {
    const point = { properties: { KATO: 'x' }, geometry: { type: 'Point', coordinates: [71, 42] } };
    await expect(importDistricts(db(), [point], FIELDS)).rejects.toThrow(/Feature 1 \(x\).*Polygon/);
  });

  it('reads a FeatureCollection from disk as GeoJSON', () => {
    expect(JSON.parse(readFileSync(ASTANA, 'utf8')).features).toHaveLength(5);
  });
});
