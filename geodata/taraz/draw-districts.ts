/**
 * Draws Taraz's approximate working districts and writes `districts.geojson` next to this file.
 *
 *   npx tsx geodata/taraz/draw-districts.ts
 *
 * The districts are NOT official boundaries. The Jardem project drew a simplified city outline by
 * hand (the vertices below, chosen on a map to stay inside the city's administrative boundary),
 * put one seed point in each well-known neighbourhood, and split the outline into the Voronoi
 * cells of those seeds. The result is good enough to aggregate appeals by part of the city and to
 * normalise per capita; a city that has official district polygons loads them with the import
 * command instead. The output is deterministic: same inputs, same bytes.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';

/** Hand-drawn, simplified outline of Taraz, counter-clockwise, [lng, lat] (WGS 84). */
const OUTLINE: Position[] = [
  [71.366, 42.829], // southern tip
  [71.395, 42.842],
  [71.42, 42.856],
  [71.433, 42.869],
  [71.441, 42.877],
  [71.462, 42.871], // south-east corner
  [71.4655, 42.898],
  [71.466, 42.909],
  [71.4525, 42.915],
  [71.46, 42.9255], // eastern lobe
  [71.451, 42.928],
  [71.4405, 42.917],
  [71.437, 42.914],
  [71.431, 42.915],
  [71.4255, 42.929],
  [71.4375, 42.9425],
  [71.4225, 42.9495],
  [71.4235, 42.958], // north-east corner
  [71.4, 42.96],
  [71.387, 42.959],
  [71.379, 42.9555],
  [71.3725, 42.944],
  [71.358, 42.944],
  [71.352, 42.9355],
  [71.339, 42.9445],
  [71.3215, 42.934],
  [71.299, 42.9455],
  [71.2935, 42.9475],
  [71.287, 42.9385],
  [71.268, 42.944], // north-west corner
  [71.2645, 42.9405],
  [71.2665, 42.93],
  [71.2855, 42.9215],
  [71.2975, 42.916],
  [71.301, 42.913],
  [71.3055, 42.9015],
  [71.3, 42.886],
  [71.323, 42.865],
  [71.366, 42.829], // closes the ring
];

interface DistrictSeed {
  code: string;
  name_kk: string;
  name_ru: string;
  name_en: string;
  /** Seed point of the Voronoi cell, [lng, lat]. */
  seed: Position;
  /** Rough estimate of residents (the centre and the older housing estates are denser). */
  population: number;
}

/** One seed per neighbourhood; the order is the order of the features in the output. */
const DISTRICTS: DistrictSeed[] = [
  {
    code: 'ortalyk',
    name_kk: 'Орталық',
    name_ru: 'Центр',
    name_en: 'Centre',
    seed: [71.378, 42.9015],
    population: 62000,
  },
  {
    code: 'eski_kala',
    name_kk: 'Ескі қала',
    name_ru: 'Старый город',
    name_en: 'Old Town',
    seed: [71.3575, 42.8955],
    population: 52000,
  },
  {
    code: 'talas',
    name_kk: 'Талас',
    name_ru: 'Талас',
    name_en: 'Talas',
    seed: [71.4035, 42.906],
    population: 44000,
  },
  {
    code: 'saltanat',
    name_kk: 'Салтанат',
    name_ru: 'Салтанат',
    name_en: 'Saltanat',
    seed: [71.396, 42.942],
    population: 38000,
  },
  {
    code: 'akbulym',
    name_kk: 'Ақбұлым',
    name_ru: 'Акбулым',
    name_en: 'Akbulym',
    seed: [71.353, 42.9225],
    population: 36000,
  },
  {
    code: 'zhailau',
    name_kk: 'Жайлау',
    name_ru: 'Жайлау',
    name_en: 'Zhailau',
    seed: [71.295, 42.9315],
    population: 24000,
  },
  {
    code: 'karasu',
    name_kk: 'Қарасу',
    name_ru: 'Карасу',
    name_en: 'Karasu',
    seed: [71.324, 42.9045],
    population: 34000,
  },
  {
    code: 'mynbulak',
    name_kk: 'Мыңбұлақ',
    name_ru: 'Мынбулак',
    name_en: 'Mynbulak',
    seed: [71.339, 42.876],
    population: 30000,
  },
  {
    code: 'samal',
    name_kk: 'Самал',
    name_ru: 'Самал',
    name_en: 'Samal',
    seed: [71.3775, 42.874],
    population: 40000,
  },
  {
    code: 'kumshagal',
    name_kk: 'Құмшағал',
    name_ru: 'Кумшагал',
    name_en: 'Kumshagal',
    seed: [71.375, 42.8455],
    population: 16000,
  },
  {
    code: 'yugo_vostok',
    name_kk: 'Оңтүстік-Шығыс',
    name_ru: 'Юго-Восток',
    name_en: 'South-East',
    seed: [71.4185, 42.8775],
    population: 36000,
  },
  {
    code: 'asa',
    name_kk: 'Аса',
    name_ru: 'Аса',
    name_en: 'Asa',
    seed: [71.447, 42.8995],
    population: 24000,
  },
];

const PROVENANCE =
  'Approximate working districts drawn by the Jardem project: a hand-simplified outline of Taraz ' +
  'split into Voronoi cells around one seed point per well-known neighbourhood ' +
  '(geodata/taraz/draw-districts.ts). They are NOT official administrative boundaries, and the ' +
  'populations are rough estimates. Load official boundaries with the import command.';

const DECIMALS = 5;
const round = (v: number): number => {
  const f = 10 ** DECIMALS;
  // Normalise -0 so the output never contains "-0".
  return Math.round(v * f) / f + 0;
};

/** Rounds a ring, drops consecutive duplicates, closes it and orients it (ccw outer, cw hole). */
function cleanRing(ring: Position[], outer: boolean): Position[] | null {
  const out: Position[] = [];
  for (const [x, y] of ring) {
    const p: Position = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  if (out.length > 1) {
    const [fx, fy] = out[0];
    const [lx, ly] = out[out.length - 1];
    if (fx === lx && fy === ly) out.pop();
  }
  if (out.length < 3) return null;
  out.push([out[0][0], out[0][1]]);
  const ccw = !turf.booleanClockwise(out);
  if (ccw !== outer) out.reverse();
  return out;
}

function toMultiPolygon(geom: Polygon | MultiPolygon): MultiPolygon {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  const coordinates: Position[][][] = [];
  for (const poly of polys) {
    const outer = cleanRing(poly[0], true);
    if (!outer) continue;
    const holes = poly
      .slice(1)
      .map((r) => cleanRing(r, false))
      .filter((r): r is Position[] => r !== null);
    coordinates.push([outer, ...holes]);
  }
  return { type: 'MultiPolygon', coordinates };
}

export function drawDistricts(): FeatureCollection<MultiPolygon> & { provenance: string } {
  const outline = turf.polygon([OUTLINE]);
  const seeds = turf.featureCollection(DISTRICTS.map((d) => turf.point(d.seed)));
  // A bbox comfortably larger than the outline, so that every cell is closed by the outline.
  const cells = turf.voronoi(seeds, { bbox: [71.2, 42.78, 71.52, 43.0] });
  const features: Feature<MultiPolygon>[] = DISTRICTS.map((d, i) => {
    const cell = cells.features[i];
    if (!cell) throw new Error(`no Voronoi cell for ${d.code}`);
    const clipped = turf.intersect(turf.featureCollection([cell, outline]));
    if (!clipped) throw new Error(`the cell of ${d.code} lies outside the outline`);
    return {
      type: 'Feature',
      properties: {
        code: d.code,
        name_kk: d.name_kk,
        name_ru: d.name_ru,
        name_en: d.name_en,
        population: d.population,
        approximate: true,
      },
      geometry: toMultiPolygon(clipped.geometry),
    };
  });
  return { type: 'FeatureCollection', provenance: PROVENANCE, features };
}

/** One feature per line: readable diffs, still valid JSON. */
function serialise(fc: ReturnType<typeof drawDistricts>): string {
  const lines = fc.features.map((f) => '    ' + JSON.stringify(f));
  return (
    '{\n' +
    '  "type": "FeatureCollection",\n' +
    `  "provenance": ${JSON.stringify(fc.provenance)},\n` +
    '  "features": [\n' +
    lines.join(',\n') +
    '\n  ]\n}\n'
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const target = fileURLToPath(new URL('./districts.geojson', import.meta.url));
  const fc = drawDistricts();
  writeFileSync(target, serialise(fc));
  const total = fc.features.reduce((s, f) => s + Number(f.properties?.population ?? 0), 0);
  console.log(`wrote ${fc.features.length} districts (population ${total}) to ${target}`);
}
