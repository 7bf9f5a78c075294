import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoGazetteerWanted } from '../../server/boot.ts';
import { withTransaction } from '../../server/db/pool.ts';
import { importOsm } from '../../server/places/osm.ts';
import { removeSource, type ImportCounts } from '../../server/places/store.ts';
import { testApp } from '../helpers/app.ts';
import { sharedData } from '../helpers/shared-data.ts';

// A real OpenStreetMap extract of a whole country (Liechtenstein, 2013-08-03, ODbL), read by GDAL's
// OSM driver. The test database is the Taraz city: these places lie outside every district.
const PBF = sharedData('osm/liechtenstein-2013-08-03.osm.pbf');
const SOURCE = 'test-osm-li';

const t = testApp();
let first: ImportCounts;

async function counts() {
  const { rows } = await t.pool.query(
    `SELECT count(*) FILTER (WHERE kind = 'address')::int AS address, count(*) FILTER (WHERE kind = 'street')::int AS street,
            count(*) FILTER (WHERE district_id IS NOT NULL)::int AS in_district, min(id)::int AS min_id
       FROM places WHERE source = $1`,
    [SOURCE],
  );
  return rows[0];
}

beforeAll(async () => {
  first = await withTransaction(t.pool, (c) => importOsm(c, PBF, { source: SOURCE }));
}, 120_000);
afterAll(async () => {
  await withTransaction(t.pool, (c) => removeSource(c, SOURCE));
});

describe('OpenStreetMap import (GDAL OSM driver)', () => {
  it('loads every object with a house number, the named streets merged by name, places, POIs and base-map features', async () => {
    // The extract holds 67 nodes and 131 ways with addr:housenumber (counted with a protobuf reader
    // of its own; the shared data README's 1,092 does not match this file). Each becomes one address.
    expect(first.address).toBe(198);
    // 949 named road ways with 595 distinct names: one street per name (outside the city there is no
    // district to split by); a few names fold together after normalisation.
    expect(first.street).toBeGreaterThan(560);
    expect(first.street).toBeLessThanOrEqual(595);
    expect(first.place).toBeGreaterThan(5);
    expect(first.poi).toBeGreaterThan(10);
    const { rows: layers } = await t.pool.query(
      `SELECT layer, count(*)::int AS n FROM basemap_features WHERE source = $1 GROUP BY layer ORDER BY layer`,
      [SOURCE],
    );
    const byLayer = Object.fromEntries(layers.map((r) => [r.layer, r.n]));
    expect(byLayer.roads).toBeGreaterThan(2000);
    expect(byLayer.buildings).toBeGreaterThan(500);
    const c = await counts();
    expect(c.in_district).toBe(0);
  });

  it('keeps a building address at a point on its outline and its street as written', async () => {
    const { rows } = await t.pool.query(
      `SELECT street, housenumber, house_key, ST_X(geom) AS lng, ST_Y(geom) AS lat, GeometryType(geom) AS type
         FROM places WHERE source = $1 AND kind = 'address' AND ref = 'w333'`,
      [SOURCE],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ street: 'Städtle', housenumber: '32', house_key: '32', type: 'POINT' });
    // The Kunstmuseum's outline spans 9.52177–9.52253 E, 47.13937–47.13959 N.
    expect(rows[0].lng).toBeGreaterThan(9.52177);
    expect(rows[0].lng).toBeLessThan(9.52254);
    expect(rows[0].lat).toBeGreaterThan(47.13937);
    expect(rows[0].lat).toBeLessThan(47.1396);
  });

  it('is searchable at once: the address by its street with a typo, and reverse at its point', async () => {
    const search = await t.json(`/api/places/search?q=${encodeURIComponent('Stadtle 32')}`);
    expect(search.status).toBe(200);
    const top = search.body.features[0];
    expect(top.properties).toMatchObject({ kind: 'address', street: 'Städtle', housenumber: '32', district: null });
    const [lng, lat] = top.geometry.coordinates;
    const reverse = await t.json(`/api/places/reverse?lng=${lng}&lat=${lat}`);
    expect(reverse.status).toBe(200);
    expect(reverse.body.address.properties).toMatchObject({ street: 'Städtle', housenumber: '32' });
    expect(reverse.body.district).toBeNull();
  });

  it('replaces the previous import of the source in one transaction', async () => {
    const before = await counts();
    const again = await withTransaction(t.pool, (c) => importOsm(c, PBF, { source: SOURCE }));
    const after = await counts();
    expect(again).toEqual(first);
    expect(after.address).toBe(before.address);
    expect(after.street).toBe(before.street);
    expect(after.min_id).toBeGreaterThan(before.min_id);
  }, 120_000);

  it('leaves the previous import as it was when an import fails', async () => {
    const before = await counts();
    const dir = mkdtempSync(join(tmpdir(), 'jardem-osm-'));
    const broken = join(dir, 'broken.osm.pbf');
    writeFileSync(broken, Buffer.from('this is not a protocol buffer, but it is long enough to be read as one'));
    await expect(withTransaction(t.pool, (c) => importOsm(c, broken, { source: SOURCE }))).rejects.toThrow(/ogr2ogr failed/);
    expect(await counts()).toEqual(before);
  });
});

describe("the demo gazetteer beside a city's own import", () => {
  it('is not loaded again once the city has imported its own streets', async () => {
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      await removeSource(client, 'demo');
      // the Liechtenstein import of beforeAll stands for the city's own
      expect(await demoGazetteerWanted(client)).toBe(false);
      await removeSource(client, SOURCE);
      expect(await demoGazetteerWanted(client)).toBe(true);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
