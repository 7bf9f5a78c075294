/**
 * The demo gazetteer (source 'demo'): the demo city's streets and houses (street-map.ts), the
 * same layout the demo appeals take their addresses from, loaded into `places` so that search
 * works on `npm start` without an OpenStreetMap extract. Synthetic data, marked by its source.
 */
import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import { finishImport, insertBasemap, insertPlaces, placeRow, replaceSource, type ImportCounts, type PlaceInput } from '../places/store.ts';
import { demoBasemap } from './basemap.ts';
import { CityPlaces } from './places.ts';
import { Rng } from './random.ts';
import type { SeedCity } from './types.ts';

export const DEMO_SOURCE = 'demo';

/** The places of the demo layout for `seed` (the same seed as the demo history). */
export function demoPlaces(city: SeedCity, seed: string | number): PlaceInput[] {
  // The same stream and order as generateHistory, so the layout is the history's.
  const map = new CityPlaces(new Rng(`${seed}:layout`), city.districts).streetMap;
  const out: PlaceInput[] = [];
  for (const s of map.streets) {
    out.push({
      kind: 'street',
      names: { name: s.names[0], ru: s.names[0], kk: s.names[1] },
      geometry: { type: 'LineString', coordinates: s.line },
    });
  }
  const micro = new Map<string, { names: readonly [string, string]; at: [number, number] }>();
  for (const h of map.houses) {
    out.push({
      kind: 'address',
      names: {},
      street: h.names[0],
      housenumber: h.number,
      geometry: { type: 'Point', coordinates: [h.lng, h.lat] },
    });
    if (h.micro && !micro.has(h.districtCode)) micro.set(h.districtCode, { names: h.names, at: [h.lng, h.lat] });
  }
  for (const m of micro.values()) {
    out.push({
      kind: 'place',
      class: 'neighbourhood',
      names: { name: m.names[0], ru: m.names[0], kk: m.names[1] },
      geometry: { type: 'Point', coordinates: m.at },
    });
  }
  return out;
}

/** Loads (or reloads) the demo gazetteer and its base map in one transaction. */
export async function loadDemoGazetteer(pool: pg.Pool, city: SeedCity, seed: string | number): Promise<ImportCounts> {
  const rows = demoPlaces(city, seed)
    .map(placeRow)
    .filter((r) => r !== null);
  // The base map of the same layout, so that the map shows the demo's streets offline.
  const base = demoBasemap(new CityPlaces(new Rng(`${seed}:layout`), city.districts).streetMap);
  return withTransaction(pool, async (client) => {
    await replaceSource(client, DEMO_SOURCE);
    for (let i = 0; i < rows.length; i += 2000) await insertPlaces(client, DEMO_SOURCE, rows.slice(i, i + 2000));
    for (let i = 0; i < base.length; i += 2000) await insertBasemap(client, DEMO_SOURCE, base.slice(i, i + 2000));
    return finishImport(client, DEMO_SOURCE, null);
  });
}
