/**
 * The demo city's base map (source 'demo' in basemap_features): its street layout
 * (street-map.ts) drawn as roads with their Kazakh, Russian and English names, a building behind
 * every numbered house, and in each microdistrict the lanes between its blocks — so that
 * `npm start` shows streets with no internet and no OpenStreetMap extract. Synthetic, like the
 * layout: the demo has no river or parks of its own, so none are invented here.
 * Coordinates [lng, lat] EPSG:4326, distances in metres.
 */
import type { BasemapInput } from '../places/store.ts';
import type { StreetMap } from './street-map.ts';

const M_PER_DEG_LAT = 111_320;
/** A house's building: metres along the street, metres deep, and the gap from the street's axis. */
const BUILDING_ALONG_M = 18;
const BUILDING_DEEP_M = 12;
const BUILDING_FROM_AXIS_M = 10;
/** A microdistrict's houses stand 60 m apart (street-map.ts); its buildings are this big. */
const BLOCK_HOUSE_M = 30;

/** Kazakh Cyrillic → the common English transliteration ("Төле би" → "Tole bi"). */
const KK_LATIN: Record<string, string> = {
  а: 'a',
  ә: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ғ: 'gh',
  д: 'd',
  е: 'e',
  ё: 'yo',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  қ: 'q',
  л: 'l',
  м: 'm',
  н: 'n',
  ң: 'ng',
  о: 'o',
  ө: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ұ: 'u',
  ү: 'u',
  ф: 'f',
  х: 'kh',
  һ: 'h',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  і: 'i',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** The Kazakh street words and their English forms, longest first. */
const KK_TYPE_WORDS: [string, string][] = [
  ['шағын ауданы', 'Microdistrict'],
  ['тұрғын алабы', 'Residential Area'],
  ['даңғылы', 'Avenue'],
  ['көшесі', 'Street'],
];

/** An English name for a demo street or microdistrict from its Kazakh name ("Төле би даңғылы" → "Tole bi Avenue"). */
export function englishName(kk: string): string {
  let stem = kk;
  let type = '';
  for (const [word, en] of KK_TYPE_WORDS) {
    if (stem.endsWith(` ${word}`)) {
      stem = stem.slice(0, -word.length - 1);
      type = ` ${en}`;
      break;
    }
  }
  const latin = [...stem]
    .map((c) => {
      const l = KK_LATIN[c.toLowerCase()];
      if (l === undefined) return c;
      return c === c.toLowerCase() ? l : l.charAt(0).toUpperCase() + l.slice(1);
    })
    .join('');
  return latin + type;
}

/** A rectangle [lng, lat] around a centre, `along` metres on the x or y axis and `deep` on the other. */
function rectangle(lng: number, lat: number, wM: number, hM: number): [number, number][][] {
  const dx = wM / 2 / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
  const dy = hM / 2 / M_PER_DEG_LAT;
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return [
    [
      [r(lng - dx), r(lat - dy)],
      [r(lng + dx), r(lat - dy)],
      [r(lng + dx), r(lat + dy)],
      [r(lng - dx), r(lat + dy)],
      [r(lng - dx), r(lat - dy)],
    ],
  ];
}

/** The base-map features of the demo layout: named roads, buildings, microdistrict lanes. */
export function demoBasemap(map: StreetMap): BasemapInput[] {
  const out: BasemapInput[] = [];
  const mLng = (lat: number) => M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
  for (const s of map.streets) {
    const [ru, kk] = s.names;
    // The city's avenues ("пр.") are its main roads; the rest are district streets.
    const cls = ru.startsWith('пр.') ? 'primary' : 'tertiary';
    out.push({
      layer: 'roads',
      class: cls,
      name: ru,
      names: { name: ru, ru, kk, en: englishName(kk) },
      geometry: { type: 'LineString', coordinates: s.line },
    });
  }
  const blocks = new Map<string, { w: number; s: number; e: number; n: number }>();
  for (const h of map.houses) {
    if (h.micro) {
      out.push({
        layer: 'buildings',
        class: 'apartments',
        name: null,
        geometry: { type: 'Polygon', coordinates: rectangle(h.lng, h.lat, BLOCK_HOUSE_M, BLOCK_HOUSE_M / 2) },
      });
      const b = blocks.get(h.districtCode) ?? { w: Infinity, s: Infinity, e: -Infinity, n: -Infinity };
      blocks.set(h.districtCode, { w: Math.min(b.w, h.lng), s: Math.min(b.s, h.lat), e: Math.max(b.e, h.lng), n: Math.max(b.n, h.lat) });
      continue;
    }
    // A street house stands 12 m from the axis (street-map.ts): its building is further back, so
    // that the road drawn at street zoom does not cover it. Which axis the street runs along
    // follows from the house's offset: a west–east street's houses share its latitude ± 12 m.
    const street = map.streets.find((s) => s.names === h.names && onLine(s.line, h.lng, h.lat));
    const ew = street ? street.line[0][1] === street.line[1][1] : true;
    const axisOff = ew ? (h.lat - (street?.line[0][1] ?? h.lat)) * M_PER_DEG_LAT : (h.lng - (street?.line[0][0] ?? h.lng)) * mLng(h.lat);
    const side = Math.sign(axisOff) || 1;
    const shift = BUILDING_FROM_AXIS_M + BUILDING_DEEP_M / 2 - Math.abs(axisOff);
    const [lng, lat] = ew ? [h.lng, h.lat + (side * shift) / M_PER_DEG_LAT] : [h.lng + (side * shift) / mLng(h.lat), h.lat];
    const [w, hM] = ew ? [BUILDING_ALONG_M, BUILDING_DEEP_M] : [BUILDING_DEEP_M, BUILDING_ALONG_M];
    out.push({ layer: 'buildings', class: 'house', name: null, geometry: { type: 'Polygon', coordinates: rectangle(lng, lat, w, hM) } });
  }
  // Lanes between a microdistrict's rows and columns of houses (60 m apart, lanes halfway).
  for (const b of blocks.values()) {
    const dLat = 30 / M_PER_DEG_LAT;
    const dLng = 30 / mLng((b.s + b.n) / 2);
    const r = (x: number) => Math.round(x * 1e6) / 1e6;
    for (let lat = b.s - dLat; lat <= b.n + dLat / 2; lat += 2 * dLat) {
      out.push({
        layer: 'roads',
        class: 'service',
        name: null,
        geometry: {
          type: 'LineString',
          coordinates: [
            [r(b.w - dLng), r(lat)],
            [r(b.e + dLng), r(lat)],
          ],
        },
      });
    }
    for (let lng = b.w - dLng; lng <= b.e + dLng / 2; lng += 2 * dLng) {
      out.push({
        layer: 'roads',
        class: 'service',
        name: null,
        geometry: {
          type: 'LineString',
          coordinates: [
            [r(lng), r(b.s - dLat)],
            [r(lng), r(b.n + dLat)],
          ],
        },
      });
    }
  }
  return out;
}

/** Whether a house lies beside a two-point axis-parallel street (within 20 m across, inside its span). */
function onLine(line: [number, number][], lng: number, lat: number): boolean {
  const [[x0, y0], [x1, y1]] = [line[0], line[line.length - 1]];
  const tol = 20 / M_PER_DEG_LAT;
  if (y0 === y1) return Math.abs(lat - y0) < tol && lng >= Math.min(x0, x1) - tol && lng <= Math.max(x0, x1) + tol;
  return Math.abs(lng - x0) < tol * 1.5 && lat >= Math.min(y0, y1) - tol && lat <= Math.max(y0, y1) + tol;
}
