/**
 * npm run bench:catalogue
 *
 * Top-1 and top-5 hit rates of the catalogue search over the phrase set
 * (test/fixtures/catalogue-phrases.json), for its tuning half, its held-out half and all of it,
 * per language. Reads the pack (geodata/$JARDEM_CITY, default taraz) directly: no database.
 */
import { readFileSync } from 'node:fs';
import { readCityPack } from '../../server/geodata/pack.ts';
import { buildIndex, searchCatalogue, type SearchEntry } from '../../server/catalogue/search.ts';
import type { PackCategory } from '../../server/geodata/pack-read.ts';

const pack = await readCityPack(process.env.JARDEM_CITY || 'taraz');
const entries: SearchEntry[] = [];
const walk = (nodes: PackCategory[], parent: string | null, sphere: string | null, depth: number) =>
  nodes.forEach((n) => {
    entries.push({ code: n.code, parent, sphere: sphere ?? n.code, depth, name: n.name, synonyms: pack.synonyms[n.code] ?? [] });
    walk(n.children ?? [], n.code, sphere ?? n.code, depth + 1);
  });
walk(pack.categories, null, null, 0);
const index = buildIndex(entries);
const { phrases } = JSON.parse(readFileSync(new URL('../fixtures/catalogue-phrases.json', import.meta.url), 'utf8')) as {
  phrases: { phrase: string; lang: string; kind: string; set: string }[];
};

const verbose = process.argv.includes('--misses');
const rows: [string, typeof phrases][] = [
  ['tuning', phrases.filter((p) => p.set === 'tuning')],
  ['held out', phrases.filter((p) => p.set === 'held_out')],
  ['kk', phrases.filter((p) => p.lang === 'kk')],
  ['ru', phrases.filter((p) => p.lang === 'ru')],
  ['all', phrases],
];
const t0 = performance.now();
const results = new Map(phrases.map((p) => [p, searchCatalogue(index, p.phrase, 5).map((h) => h.code)]));
const ms = (performance.now() - t0) / phrases.length;
const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)} %`;
console.log(`catalogue: ${entries.length} nodes, ${Object.keys(pack.synonyms).length} with synonyms; ${phrases.length} phrases`);
for (const [label, set] of rows) {
  const top1 = set.filter((p) => results.get(p)![0] === p.kind).length;
  const top5 = set.filter((p) => results.get(p)!.includes(p.kind)).length;
  console.log(
    `${label.padEnd(9)} n=${String(set.length).padStart(3)}  top-1 ${pct(top1, set.length).padStart(7)}  top-5 ${pct(top5, set.length).padStart(7)}`,
  );
}
console.log(`mean search time ${ms.toFixed(2)} ms per phrase`);
if (verbose)
  for (const p of phrases.filter((p) => p.set === 'tuning' && !results.get(p)!.includes(p.kind)))
    console.log(`miss [${p.lang}] ${p.phrase} -> want ${p.kind}, got ${results.get(p)!.slice(0, 3).join(', ')}`);
