/**
 * npm run bench:places -- [postgres admin url] [--points 200000] [--queries 1000] [--keep]
 *
 * The geocoder measured, on a database of its own (`jardem_bench_places`, created on the server
 * of the URL, default TEST_DATABASE_URL or the local 5432 cluster):
 *
 * 1. Quality: real addresses — the Liechtenstein OSM extract (GDAL import), Astana's shopping
 *    centres (register import of the Overpass export) and the NYC 311 sample's addresses with
 *    coordinates (register import, number and street from "Incident Address") — each typed in
 *    several ways (as written, with a typo, abbreviated, in another spelling), searched, and
 *    counted as found when the top hit lies within 50 m of the address. Prints the share per
 *    data set and variant, and the failures.
 * 2. Latency: 200,000 synthetic address points on 2,000 streets of Taraz; p50/p95 of search
 *    (typed street + number, with a typo in a third of them) and reverse (random points in the
 *    city), called in process (normalisation + SQL + JSON), one at a time.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import seedrandom from 'seedrandom';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool, withTransaction } from '../../server/db/pool.ts';
import { parseQuery } from '../../server/places/normalise.ts';
import { importOsm } from '../../server/places/osm.ts';
import { reverseGeocode, searchPlaces } from '../../server/places/queries.ts';
import { importRegister, OSM_TAGS, parseCsv } from '../../server/places/register.ts';
import { finishImport, insertPlaces, placeRow, replaceSource } from '../../server/places/store.ts';
import { sharedData } from '../helpers/shared-data.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    points: { type: 'string', default: '200000' },
    queries: { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
  },
});
const adminUrl = positionals[0] ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const NAME = 'jardem_bench_places';
const rng = seedrandom('places-bench');

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
if (!values.keep) {
  await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${NAME}`);
}
await admin.end();
const url = new URL(adminUrl);
url.pathname = `/${NAME}`;
const pool = createPool(url.toString(), 4);
await prepareDatabase(pool, { city: 'taraz', demo: false, demoCount: 0 });

// ---------------------------------------------------------------- the real data sets
console.log('Importing the real data sets ...');
await withTransaction(pool, (c) => importOsm(c, sharedData('osm/liechtenstein-2013-08-03.osm.pbf'), { source: 'li' }));
await withTransaction(pool, (c) => importRegister(c, sharedData('kz/astana-malls-osm-2022.geojson'), OSM_TAGS, 'astana'));
// NYC: the house number and street split off "Incident Address", as an OpenAddresses-style CSV.
const nyc = parseCsv(readFileSync(sharedData('nyc/nyc-311-sample-2022-05-01.csv'), 'utf8'))
  .filter((r) => r['Address Type'] === 'ADDRESS' && r.Latitude && r.Longitude)
  .map((r) => ({ m: /^(\S+)\s+(.+)$/.exec(r['Incident Address'].trim()), r }))
  .filter((x) => x.m && /^\d/.test(x.m[1]));
const dir = mkdtempSync(join(tmpdir(), 'jardem-places-bench-'));
const nycCsv = join(dir, 'nyc.csv');
writeFileSync(
  nycCsv,
  'NUMBER,STREET,LON,LAT\n' +
    nyc.map(({ m, r }) => [m![1], m![2].replace(/\s+/g, ' '), r.Longitude, r.Latitude].map((v) => `"${v}"`).join(',')).join('\n'),
);
await withTransaction(pool, (c) => importRegister(c, nycCsv, { street: 'STREET', housenumber: 'NUMBER', lng: 'LON', lat: 'LAT' }, 'nyc'));

// ---------------------------------------------------------------- typed variants
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];

/** One typo in the longest word: a letter dropped, doubled, swapped with the next or replaced by a neighbour. */
function typo(s: string): string {
  const words = s.split(' ');
  let i = 0;
  words.forEach((w, k) => {
    if (w.length > words[i].length) i = k;
  });
  const w = words[i];
  if (w.length < 5) return s;
  const p = 1 + Math.floor(rng() * (w.length - 2));
  const kind = Math.floor(rng() * 3);
  words[i] =
    kind === 0
      ? w.slice(0, p) + w.slice(p + 1)
      : kind === 1
        ? w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2)
        : w.slice(0, p) + w[p] + w.slice(p);
  return words.join(' ');
}

const ABBREVIATIONS: [RegExp, string][] = [
  [/^улица /i, 'ул. '],
  [/^проспект /i, 'пр-т '],
  [/ шоссе$/i, ' ш.'],
  [/^шоссе /i, 'ш. '],
  [/ STREET$/i, ' St'],
  [/ AVENUE$/i, ' Ave'],
  [/ ROAD$/i, ' Rd'],
  [/ BOULEVARD$/i, ' Blvd'],
  [/ PLACE$/i, ' Pl'],
  [/^WEST /i, 'W '],
  [/^EAST /i, 'E '],
  [/strasse$/i, 'str.'],
];
const abbreviate = (s: string) => ABBREVIATIONS.reduce((a, [re, to]) => a.replace(re, to), s);

const LATIN: Record<string, string> = Object.fromEntries(
  'а a б b в v г g д d е e ё yo ж zh з z и i й y к k л l м m н n о o п p р r с s т t у u ф f х kh ц ts ч ch ш sh щ shch ы y э e ю yu я ya ә a ө o ү u ұ u қ q ғ g ң n һ h і i ь _ ъ _'
    .split(' ')
    .reduce<[string, string][]>((acc, x, i, arr) => (i % 2 ? acc : [...acc, [x, arr[i + 1] === '_' ? '' : arr[i + 1]]]), []),
);
/** The other spelling: Cyrillic in Latin letters; German umlauts spelled out; English in lower case. */
function otherSpelling(s: string): string {
  if (/[а-яёәөүұқғңһі]/i.test(s)) return [...s.toLowerCase().replace(/^улица |^проспект /, '')].map((ch) => LATIN[ch] ?? ch).join('');
  if (/[äöüß]/i.test(s)) return s.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss');
  return s.toLowerCase();
}

interface Truth {
  source: string;
  street: string;
  housenumber: string;
  lng: number;
  lat: number;
}
const { rows: truths } = await pool.query<Truth>(
  `SELECT DISTINCT ON (source, street, housenumber) source, street, housenumber, ST_X(geom) AS lng, ST_Y(geom) AS lat
     FROM places WHERE kind = 'address' AND street IS NOT NULL AND source IN ('li', 'astana', 'nyc')
    ORDER BY source, street, housenumber, id`,
);

const variants: [string, (t: Truth) => string][] = [
  ['as written', (t) => t.street],
  ['typo', (t) => typo(t.street)],
  ['abbreviated', (t) => abbreviate(t.street)],
  ['other spelling', (t) => otherSpelling(t.street)],
];
const typed = (t: Truth, street: string) => (t.source === 'nyc' ? `${t.housenumber} ${street}` : `${street} ${t.housenumber}`);
const metres = (a: number[], b: number[]) => {
  const k = Math.cos((b[1] * Math.PI) / 180);
  return Math.hypot((a[0] - b[0]) * 111_320 * k, (a[1] - b[1]) * 111_320);
};

console.log(`\nQuality: top-1 within 50 m, ${truths.length} real addresses × ${variants.length} ways of typing them`);
const failures: string[] = [];
const table: Record<string, Record<string, string>> = {};
let allOk = 0;
let allN = 0;
for (const source of ['li', 'astana', 'nyc']) {
  const set = truths.filter((t) => t.source === source);
  table[source] = { addresses: String(set.length) };
  for (const [name, make] of variants) {
    let ok = 0;
    for (const t of set) {
      const q = typed(t, make(t));
      const [top] = (await searchPlaces(pool, parseQuery(q), { limit: 1 })) as {
        geometry: { coordinates: number[] };
        properties: { street: string; housenumber: string };
      }[];
      const d = top ? metres(top.geometry.coordinates, [t.lng, t.lat]) : Infinity;
      if (d <= 50) ok++;
      else
        failures.push(
          `${source} ${name}: "${q}" → ${top ? `${top.properties.street ?? '?'} ${top.properties.housenumber ?? ''} at ${Math.round(d)} m` : 'nothing'}`,
        );
    }
    table[source][name] = `${((100 * ok) / set.length).toFixed(1)} %`;
    allOk += ok;
    allN += set.length;
  }
}
console.table(table);
console.log(`All: ${((100 * allOk) / allN).toFixed(1)} % of ${allN} typed addresses found within 50 m.`);
console.log(`\nFailures (${failures.length}):`);
for (const f of failures) console.log(`  ${f}`);

// ---------------------------------------------------------------- latency at 200,000 addresses
const POINTS = Number(values.points);
const STREETS = 2000;
const FIRST = [
  'Абай',
  'Толе',
  'Айтеке',
  'Казыбек',
  'Жамбыл',
  'Сулеймен',
  'Койгельды',
  'Байзак',
  'Сыпатай',
  'Мамбет',
  'Карахан',
  'Рыскул',
  'Бектур',
  'Абылай',
  'Кошек',
  'Бокейхан',
  'Ауэзов',
  'Байтурсын',
  'Курмангазы',
  'Ломонос',
];
const SECOND = ['батыр', 'би', 'хан', 'ата', 'акын', 'ага', 'ұлы', 'бек', 'жырау', 'шешен'];
const THIRD = ['', ' 1-я', ' 2-я', ' 3-я', ' 4-я', ' 5-я', ' 6-я', ' 7-я', ' 8-я', ' 9-я'];
const streetNames = Array.from(
  { length: STREETS },
  (_, i) => `${FIRST[i % 20]} ${SECOND[Math.floor(i / 20) % 10]}${THIRD[Math.floor(i / 200) % 10]}`,
);
// Taraz's box: 71.262–71.469 E, 42.825–42.962 N; each street a west–east line of houses 20 m apart.
const perStreet = Math.ceil(POINTS / STREETS);
console.log(`\nLatency: inserting ${POINTS.toLocaleString('en')} synthetic addresses on ${STREETS} streets ...`);
await withTransaction(pool, async (c) => {
  await replaceSource(c, 'synthetic');
  let batch: NonNullable<ReturnType<typeof placeRow>>[] = [];
  for (let s = 0; s < STREETS; s++) {
    const lat = 42.83 + (0.125 * s) / STREETS;
    const lng0 = 71.27 + rng() * 0.05;
    const line: [number, number][] = [];
    for (let h = 0; h < perStreet && s * perStreet + h < POINTS; h++) {
      const lng = lng0 + (h * 20) / 81_600;
      line.push([lng, lat]);
      batch.push(
        placeRow({
          kind: 'address',
          names: {},
          street: `ул. ${streetNames[s]}`,
          housenumber: String(h + 1),
          geometry: { type: 'Point', coordinates: [lng, lat + 0.0001] },
        })!,
      );
    }
    batch.push(
      placeRow({
        kind: 'street',
        names: { name: `ул. ${streetNames[s]}` },
        geometry: { type: 'LineString', coordinates: [line[0], line[line.length - 1]] },
      })!,
    );
    if (batch.length >= 5000) {
      await insertPlaces(c, 'synthetic', batch);
      batch = [];
    }
  }
  await insertPlaces(c, 'synthetic', batch);
  await finishImport(c, 'synthetic', null);
});
await pool.query('ANALYZE places, place_terms');

const N = Number(values.queries);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const time = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
for (let i = 0; i < 50; i++) await searchPlaces(pool, parseQuery(`${pick(streetNames)} 5`), { limit: 10 });
const searchMs: number[] = [];
for (let i = 0; i < N; i++) {
  const name = pick(streetNames);
  const q = `${i % 3 === 0 ? typo(name) : name} ${1 + Math.floor(rng() * perStreet)}`;
  searchMs.push(await time(() => searchPlaces(pool, parseQuery(q), { limit: 10 })));
}
const reverseMs: number[] = [];
for (let i = 0; i < N; i++) {
  const at: [number, number] = [71.262 + rng() * 0.207, 42.825 + rng() * 0.137];
  reverseMs.push(await time(() => reverseGeocode(pool, at)));
}
const { rows: size } = await pool.query(
  `SELECT count(*) FILTER (WHERE kind = 'address')::int AS addresses, (SELECT count(*) FROM place_terms)::int AS terms FROM places`,
);
console.log(
  `${size[0].addresses.toLocaleString('en')} addresses, ${size[0].terms.toLocaleString('en')} terms; ${N} calls each, one at a time:\n` +
    `  search  p50 ${pct(searchMs, 0.5).toFixed(1)} ms, p95 ${pct(searchMs, 0.95).toFixed(1)} ms, max ${Math.max(...searchMs).toFixed(1)} ms (goal p95 ≤ 20 ms)\n` +
    `  reverse p50 ${pct(reverseMs, 0.5).toFixed(1)} ms, p95 ${pct(reverseMs, 0.95).toFixed(1)} ms, max ${Math.max(...reverseMs).toFixed(1)} ms (goal p95 ≤ 10 ms)`,
);
await pool.end();
