import { beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, getCatalog } from '../../server/catalog.ts';
import { importDistricts, type SourceFeature } from '../../server/geodata/import.ts';
import { hotspots, type HotspotOptions } from '../../server/hotspots/hotspots.ts';
import { getFrame, hexGrid, studyAreaM2 } from '../../server/hotspots/queries.ts';
import { eachInRollback, testApp } from '../helpers/app.ts';

const t = testApp();
let catalog: Catalog;

// Read before any test opens its transaction (PGlite runs one at a time).
beforeAll(async () => {
  catalog = await getCatalog(t.pool);
});

// Every test runs in a transaction that is rolled back: the shared test city comes back as it was.
const db = eachInRollback(t.pool);

const ring = (coords: [number, number][]): [number, number][] => [...coords, coords[0]];
const district = (code: string, coordinates: [number, number][][]): SourceFeature => ({
  properties: { code, name: code },
  geometry: { type: 'Polygon', coordinates },
});

/**
 * A test city drawn by hand, as real boundaries are (lng, lat, EPSG:4326, near Taraz so that the
 * frame is UTM 42N):
 * - `south`: 33 km wide with one straight northern edge along the parallel 42.9°, counter-clockwise;
 * - `north`: sits on that edge, 1 cm (1e-7°) above it: touching as drawn, not noded with it;
 * - `east`: overlaps `south` by 500 m;
 * - `west`: drawn clockwise, sharing the western edge of `south` exactly.
 * The union of these is valid in degrees; in metres the long edge of `south` becomes a chord
 * that lies metres north of the projected corners of `north` (a parallel is curved in UTM),
 * so the projected union overlaps itself: GEOS then fails with "side location conflict".
 */
const CITY = [
  district('south', [
    ring([
      [71.2, 42.8],
      [71.6, 42.8],
      [71.6, 42.9],
      [71.2, 42.9],
    ]),
  ]),
  district('north', [
    ring([
      [71.35, 42.9000001],
      [71.45, 42.9000001],
      [71.45, 43.0],
      [71.35, 43.0],
    ]),
  ]),
  district('east', [
    ring([
      [71.594, 42.82],
      [71.7, 42.82],
      [71.7, 42.88],
      [71.594, 42.88],
    ]),
  ]),
  district('west', [
    ring([
      [71.1, 42.8],
      [71.1, 42.9],
      [71.2, 42.9],
      [71.2, 42.8],
    ]),
  ]),
];
const FIELDS = { code: 'code', nameKk: 'name', nameRu: 'name', nameEn: 'name' };

async function importCity() {
  await importDistricts(db(), CITY, FIELDS, { replace: true });
  await db().query(`UPDATE districts SET population = 10000`);
}

const DAY = 86_400_000;
const options = (over: Partial<HotspotOptions> = {}): HotspotOptions => ({
  filter: {},
  from: new Date(Date.now() - 30 * DAY).toISOString(),
  to: new Date().toISOString(),
  cell: 1000,
  normalize: 'none',
  skewCorrection: true,
  include: 'all',
  ...over,
});

describe('hot spots over districts whose union is invalid in metres', () => {
  it('the test city is such a city: valid in degrees, invalid after projection', async () => {
    await importCity();
    const frame = await getFrame(db());
    expect(frame.srid).toBe(32642);
    const { rows } = await db().query(
      `SELECT ST_IsValid(u) AS degrees, ST_IsValid(ST_Transform(u, $1::int)) AS metres
         FROM (SELECT ST_Union(geom) AS u FROM districts) x`,
      [frame.srid],
    );
    expect(rows[0]).toEqual({ degrees: true, metres: false });
  });

  it('builds the hexagon grid over the whole area, with and without population', async () => {
    await importCity();
    const frame = await getFrame(db());
    const size = 1000 / Math.sqrt(3);
    for (const withPopulation of [false, true]) {
      const cells = await hexGrid(db(), frame, {}, size, withPopulation);
      // Every district has cells; cells along the outline whose centre lies outside have none.
      expect(new Set(cells.map((c) => c.district))).toEqual(new Set(['south', 'north', 'east', 'west', null]));
      // Hexagons of 1 km spacing (0.866 km² each) over ~600 km² of districts, and a ring along the outline.
      const { rows } = await db().query(`SELECT ST_Area(ST_Union(geom)::geography) / 1e6 AS km2 FROM districts`);
      expect(cells.length).toBeGreaterThan(rows[0].km2 / 0.866);
      expect(cells.length).toBeLessThan((rows[0].km2 / 0.866) * 1.3);
      if (withPopulation) {
        const people = cells.reduce((a, c) => a + (c.population ?? 0), 0);
        expect(people).toBeCloseTo(40_000, -2);
      }
    }
  });

  it('measures the area and answers the analysis, over the city and within a box', async () => {
    await importCity();
    const frame = await getFrame(db());
    const { rows } = await db().query(`SELECT ST_Area(ST_Union(geom)::geography) AS m2 FROM districts`);
    expect((await studyAreaM2(db(), frame, {})) / rows[0].m2).toBeCloseTo(1, 2);
    const city = await hotspots(db(), catalog, options({ normalize: 'population' }));
    expect(city.features.length).toBe(city.summary.cells);
    expect(city.features.length).toBeGreaterThan(600);
    // A box across the overlapping and the nearly touching edges.
    const boxed = await hotspots(db(), catalog, options({ filter: { bbox: [71.3, 42.85, 71.65, 42.95] } }));
    expect(boxed.features.length).toBeGreaterThan(50);
    expect(boxed.features.length).toBeLessThan(city.features.length);
  });
});
