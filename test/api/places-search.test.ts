import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { booleanPointInPolygon } from '@turf/turf';
import type { Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../server/db/pool.ts';
import { importOsm } from '../../server/places/osm.ts';
import { importRegister, OSM_TAGS } from '../../server/places/register.ts';
import { removeSource } from '../../server/places/store.ts';
import { testApp } from '../helpers/app.ts';
import { sharedData } from '../helpers/shared-data.ts';

// Real Kazakh address spelling: Astana's shopping centres as an Overpass export (ODbL), loaded with
// the register importer; real crossings: the Liechtenstein extract through GDAL's OSM driver.
const ASTANA = sharedData('kz/astana-malls-osm-2022.geojson');
const PBF = sharedData('osm/liechtenstein-2013-08-03.osm.pbf');
const SOURCES = ['test-astana', 'test-osm-li-search', 'test-osm-renamed'];

const t = testApp();

interface Feature {
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: { kind: string; street: string | null; housenumber: string | null; name: { ru: string | null }; district: unknown };
}
const search = async (q: string, extra = '') => {
  const r = await t.json<{ type: string; features: Feature[] }>(`/api/places/search?q=${encodeURIComponent(q)}${extra}`);
  expect(r.status).toBe(200);
  expect(r.body.type).toBe('FeatureCollection');
  return r.body.features;
};

/** The Astana building with this street and number (its outline, from the file). */
const astana = JSON.parse(readFileSync(ASTANA, 'utf8')) as {
  features: { properties: Record<string, string>; geometry: Polygon }[];
};
const building = (street: string, number: string) =>
  astana.features.find((f) => f.properties['addr:street'] === street && f.properties['addr:housenumber'] === number)!;

// A street renamed in OSM: its current name, its old name and a house on it, written as OSM XML
// and read by the same GDAL driver. (No real extract at hand carries old_name on a street.)
const RENAMED = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="jardem test">
  <node id="1" lat="47.0001" lon="9.4001"/>
  <node id="2" lat="47.0001" lon="9.4031"/>
  <node id="3" lat="47.0002" lon="9.4016"><tag k="addr:street" v="Төле би даңғылы"/><tag k="addr:housenumber" v="12 к2"/></node>
  <way id="10"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="primary"/><tag k="name" v="Төле би даңғылы"/><tag k="name:ru" v="проспект Толе би"/>
    <tag k="old_name" v="Коммунистический проспект"/>
  </way>
</osm>`;

beforeAll(async () => {
  await withTransaction(t.pool, (c) => importRegister(c, ASTANA, OSM_TAGS, 'test-astana'));
  await withTransaction(t.pool, (c) => importOsm(c, PBF, { source: 'test-osm-li-search' }));
  const dir = mkdtempSync(join(tmpdir(), 'jardem-osm-'));
  writeFileSync(join(dir, 'renamed.osm'), RENAMED);
  await withTransaction(t.pool, (c) => importOsm(c, join(dir, 'renamed.osm'), { source: 'test-osm-renamed' }));
}, 120_000);
afterAll(async () => {
  for (const s of SOURCES) await withTransaction(t.pool, (c) => removeSource(c, s));
});

describe('GET /api/places/search', () => {
  // Each typed form → the building it means: case, abbreviations, Kazakh letters, Latin, typos, order.
  const cases: [string, string, string][] = [
    ['ул. Алексея Петрова 24а/1', 'улица Алексея Петрова', '24а/1'],
    ['алексея петрова, д. 24А/1', 'улица Алексея Петрова', '24а/1'],
    ['Alekseya Petrova 24a/1', 'улица Алексея Петрова', '24а/1'],
    ['ул Алексея Петрва 24а/1', 'улица Алексея Петрова', '24а/1'],
    ['пр-т Туран 37', 'проспект Туран', '37'],
    ['Тұран даңғылы 37', 'проспект Туран', '37'],
    ['Turan ave 37', 'проспект Туран', '37'],
    ['Абылай хан даңғылы 27/3', 'проспект Абылай Хана', '27/3'],
    ['Abylai Khan 27/3', 'проспект Абылай Хана', '27/3'],
    ['Тәуелсіздік даңғылы 31б', 'проспект Тауелсыздык', '31Б'],
    ['Tauelsizdik 31B', 'проспект Тауелсыздык', '31Б'],
    ['Сейфуллин көшесі 47', 'улица Сакена Сейфуллина', '47'],
    ['Ykylas Dukenuly 31', 'улица Ыкылас Дукенулы', '31'],
    ['Кабанбай батыра пр. 62', 'проспект Кабанбай Батыра', '62'],
    ['Кургальжинское ш. 1', 'Кургальжинское шоссе', '1'],
  ];
  it.each(cases)('finds "%s" at %s %s', async (q, street, number) => {
    const [top] = await search(q);
    expect(top.properties).toMatchObject({ kind: 'address', street, housenumber: number });
    expect(booleanPointInPolygon(top.geometry.coordinates, building(street, number).geometry)).toBe(true);
  });

  it('finds a point of interest by its name in another script', async () => {
    const [top] = await search('Khan Shatyr');
    expect(top.properties.kind).toBe('poi');
    expect(top.properties.name.ru).toBe('Хан Шатыр');
  });

  it('finds a renamed street and its houses by the old name, and parses "12 к2"', async () => {
    // The demo city has a "пр. Толе би" too: the old name leads to the current name's key, and
    // `near` picks the piece of it by the caller.
    const near = '&near=9.4016,47.0002';
    const [street] = await search('Коммунистический пр.', near);
    expect(street.properties).toMatchObject({ kind: 'street', name: { ru: 'проспект Толе би' } });
    const [house] = await search('Коммунистический проспект 12 корпус 2', near);
    expect(house.properties).toMatchObject({ kind: 'address', street: 'Төле би даңғылы', housenumber: '12 к2' });
  });

  it.each(['Landstrasse / Poststrasse', 'угол Landstr. и Poststrasse', 'Poststrasse x Landstrasse'])(
    'finds the crossing "%s" where the two streets meet',
    async (q) => {
      const [top] = await search(q);
      expect(top.properties.kind).toBe('intersection');
      // OSM's shared node of the two ways (by a PostGIS intersection of the lines).
      const { rows } = await t.pool.query(
        `SELECT ST_Distance(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, a.geom::geography) AS da,
                ST_Distance(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, b.geom::geography) AS db
           FROM places a, places b
          WHERE a.source = 'test-osm-li-search' AND b.source = a.source AND a.kind = 'street' AND b.kind = 'street'
            AND a.names->>'name' = 'Landstrasse' AND b.names->>'name' = 'Poststrasse'`,
        top.geometry.coordinates,
      );
      expect(rows[0].da).toBeLessThan(1);
      expect(rows[0].db).toBeLessThan(1);
    },
  );

  it('finds a crossing of the demo city', async () => {
    const [top] = await search('угол Абая и Сулейменова');
    expect(top.properties.kind).toBe('intersection');
    expect(top.properties.district).not.toBeNull();
  });

  it('ranks by distance to `near` when names tie', async () => {
    // "пр. Толе би" runs through every demo district: the piece nearest `near` comes first.
    const [a] = await search('пр. Толе би', '&near=71.30,42.87');
    const [b] = await search('пр. Толе би', '&near=71.45,42.95');
    expect(a.properties.kind).toBe('street');
    expect(a.geometry.coordinates).not.toEqual(b.geometry.coordinates);
    expect(a.geometry.coordinates[0]).toBeLessThan(b.geometry.coordinates[0]);
  });

  it('answers an empty collection when nothing looks like the query', async () => {
    expect(await search('qqqqqqzzzz 1')).toEqual([]);
  });

  it('refuses unknown and malformed parameters', async () => {
    expect((await t.json('/api/places/search?q=Turan&foo=1')).status).toBe(400);
    expect((await t.json('/api/places/search')).status).toBe(400);
    expect((await t.json('/api/places/search?q=Turan&near=abc')).status).toBe(400);
    const r = await t.json('/api/places/search?q=Turan&limit=500');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBeTruthy();
  });
});

describe('GET /api/places/reverse', () => {
  it('answers the nearest address within 150 m with its street, building and district', async () => {
    // Khan Shatyr's outline; 60 m north of its point on surface.
    const [hit] = await search('Туран 37');
    const [lng, lat] = hit.geometry.coordinates;
    const r = await t.json(`/api/places/reverse?lng=${lng}&lat=${lat + 60 / 111_320}`);
    expect(r.status).toBe(200);
    expect(r.body.address.properties).toMatchObject({ kind: 'address', street: 'проспект Туран', housenumber: '37' });
    expect(r.body.address.properties.distance_m).toBeGreaterThan(55);
    expect(r.body.address.properties.distance_m).toBeLessThan(65);
  });

  it('answers no address farther than 150 m', async () => {
    const [hit] = await search('Туран 37');
    const [lng, lat] = hit.geometry.coordinates;
    const r = await t.json(`/api/places/reverse?lng=${lng}&lat=${lat + 1000 / 111_320}`);
    expect(r.status).toBe(200);
    expect(r.body.address?.properties.street === 'проспект Туран' && r.body.address.properties.housenumber === '37').toBe(false);
    const far = await t.json('/api/places/reverse?lng=0&lat=0');
    expect(far.body).toMatchObject({ address: null, street: null, district: null, features: [] });
  });

  it('names the district and the street in the demo city', async () => {
    const [hit] = await search('мкр Жайлау, 12 дом');
    expect(hit.properties).toMatchObject({ kind: 'address', housenumber: '12' });
    const [lng, lat] = hit.geometry.coordinates;
    const r = await t.json(`/api/places/reverse?lng=${lng}&lat=${lat}`);
    expect(r.body.address.properties).toMatchObject({ street: 'мкр. Жайлау', housenumber: '12' });
    expect(r.body.district.code).toBe('zhailau');
  });

  it('refuses unknown and out-of-range parameters', async () => {
    expect((await t.json('/api/places/reverse?lng=71.4&lat=42.9&radius=5')).status).toBe(400);
    expect((await t.json('/api/places/reverse?lng=71.4&lat=95')).status).toBe(400);
    expect((await t.json('/api/places/reverse?lng=71.4')).status).toBe(400);
  });
});
