/**
 * The catalogue search: what the caller says → the kinds it most likely means, best first.
 *
 * Pure and synchronous, so that the dispatcher's browser runs it on every keystroke over the
 * catalogue it already holds from /api/meta (no round trip), and the bench and the tests run the
 * very same code in Node. Text goes through the places normalisation (foldText): Kazakh letters
 * fold to their Russian look-alikes, Latin is transliterated, so "жарық", "жарык" and "jaryq" are
 * one word. Words are compared by their first letters (a crude stem that covers Russian endings
 * and Kazakh suffixes), then by edit distance for typos. A node's own names (kk, ru, en) and the
 * pack's synonyms weigh most, its category's and sphere's names less; rare words weigh more than
 * common ones (idf). The 90-day usage count breaks near ties and orders short queries.
 */
import { foldText } from '../places/normalise.ts';

export interface SearchNames {
  kk: string;
  ru: string;
  en: string;
}
export interface SearchEntry {
  code: string;
  parent: string | null;
  sphere: string;
  depth: number;
  name: SearchNames;
  synonyms?: string[] | null;
  /** Appeals of this node in the last 90 days. */
  usage?: number | null;
}
export interface SearchHit {
  code: string;
  score: number;
}

/** Function words of Russian and Kazakh that say nothing about the kind. */
const STOP = new Set(
  (
    'в во на у нас и а с со по за к из от до уже очень вообще прямо весь всем всё все мой моя моей моего мое наш наша нашем нашей ' +
    'наши это эта этот что чтобы где мне меня я мы они он она его ее их или то же ли бы есть был была было были еще там тут здесь ' +
    'дайте хочу хотим хотела хотел помогите пожалуйста просто опять снова сегодня вчера утра утром вечером третий второй день дня дней ' +
    'неделю неделя уже часа час два три года лет почему будут будет можно кто когда какой какая какие который ' +
    'мен сен біз бізде бізге менің біздің бұл осы ол да де та те ма ме ба бе па пе ғой қой және деп еді екен өте тағы қазір бүгін кеше ' +
    'жатыр тұр отыр келді болды керек еді ғана'
  )
    .split(/\s+/)
    .map((w) => foldText(w)),
);

const STEM = 6;
const stem = (w: string) => w.slice(0, STEM);

/** Folded, split into words, function words dropped, each cut to its stem. */
export function searchTokens(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2 && !STOP.has(w))
    .map(stem);
}

/** Damerau–Levenshtein distance, stopping early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      best = Math.min(best, d[i][j]);
    }
    if (best > max) return max + 1;
  }
  return d[a.length][b.length];
}

/** How well a typed stem matches a stem of the catalogue: 1 the same, less for a shared beginning or a typo, 0 none. */
export function matchQuality(q: string, v: string): number {
  if (q === v) return 1;
  const short = Math.min(q.length, v.length);
  if (short >= 3 && (v.startsWith(q) || q.startsWith(v))) return short >= 4 ? 0.9 : 0.6;
  let common = 0;
  while (common < short && q[common] === v[common]) common++;
  // A shared beginning stands for the same word with another ending ("угол"/"угля" no, "кошки"/"кошек" yes):
  // long enough a share of the shorter word, not just any four letters ("пропал"/"прописка").
  if (common >= 5 || (common >= 4 && short <= 5) || (common >= 3 && short <= 4)) return common >= 5 ? 0.75 : 0.6;
  if (q.length >= 4 && v.length >= 4 && distance(q, v, 1) <= 1) return 0.7;
  return 0;
}

/** Field weights: a node's own words, its category's, its sphere's. */
const OWN = 1;
const PARENT = 0.45;
const SPHERE = 0.25;

const wholeName = (text: string) => searchTokens(text).join(' ');

export interface CatalogueIndex {
  entries: SearchEntry[];
  /** stem -> the entries that have it, each with its best field weight */
  postings: Map<string, [number, number][]>;
  vocabulary: string[];
  idf: Map<string, number>;
  maxUsage: number;
  /** a whole name, folded -> the entries that bear it: typing a name exactly puts it first */
  names: Map<string, number[]>;
  /** typed stem -> catalogue stems it may mean, weighted (memoised: typing repeats the words) */
  expansions: Map<string, [string, number][]>;
}

export function buildIndex(entries: SearchEntry[]): CatalogueIndex {
  const byCode = new Map(entries.map((e) => [e.code, e]));
  const own = (e: SearchEntry | undefined) => (e ? searchTokens([e.name.kk, e.name.ru, e.name.en, ...(e.synonyms ?? [])].join(' ')) : []);
  const fields = entries.map((e) => {
    const f = new Map<string, number>();
    const put = (words: string[], w: number) => words.forEach((s) => f.set(s, Math.max(f.get(s) ?? 0, w)));
    const parent = e.parent ? byCode.get(e.parent) : undefined;
    put(own(e.depth > 0 ? byCode.get(e.sphere) : undefined), SPHERE);
    if (parent && parent.code !== e.sphere) put(own(parent), PARENT);
    put(own(e), OWN);
    return f;
  });
  const df = new Map<string, number>();
  for (const f of fields) for (const [s, w] of f) if (w === OWN) df.set(s, (df.get(s) ?? 0) + 1);
  const idf = new Map<string, number>();
  const vocabulary = new Set<string>();
  for (const f of fields) for (const s of f.keys()) vocabulary.add(s);
  for (const s of vocabulary) idf.set(s, Math.log(1 + entries.length / (1 + (df.get(s) ?? 0))));
  const names = new Map<string, number[]>();
  entries.forEach((e, i) => {
    for (const n of new Set([e.name.kk, e.name.ru, e.name.en].map(wholeName))) names.set(n, [...(names.get(n) ?? []), i]);
  });
  const postings = new Map<string, [number, number][]>();
  fields.forEach((f, i) => {
    for (const [s, w] of f) {
      const list = postings.get(s);
      if (list) list.push([i, w]);
      else postings.set(s, [[i, w]]);
    }
  });
  return {
    entries,
    postings,
    vocabulary: [...vocabulary],
    idf,
    maxUsage: Math.max(1, ...entries.map((e) => e.usage ?? 0)),
    expansions: new Map(),
    names,
  };
}

function expand(index: CatalogueIndex, q: string): [string, number][] {
  let m = index.expansions.get(q);
  if (!m) {
    m = [];
    // A word the catalogue has as such is not worth more through a rarer look-alike ("такси" is not "tax").
    const own = index.idf.get(q);
    for (const v of index.vocabulary) {
      // A typo rarely hits both of the first two letters: skip the distance for those words.
      if (q[0] !== v[0] && q[1] !== v[1]) continue;
      const quality = matchQuality(q, v);
      if (quality > 0) m.push([v, quality * Math.min(index.idf.get(v) ?? 0, own ?? Infinity)]);
    }
    if (index.expansions.size > 5000) index.expansions.clear();
    index.expansions.set(q, m);
  }
  return m;
}

/**
 * The best `limit` nodes for `query`. A query of fewer than three letters lists the most used
 * kinds whose names start with it (or the most used of all, for an empty one).
 */
export function searchCatalogue(index: CatalogueIndex, query: string, limit = 10): SearchHit[] {
  const usageBoost = (e: SearchEntry) => Math.log1p(e.usage ?? 0) / Math.log1p(index.maxUsage);
  const folded = foldText(query).trim();
  if (folded.replace(/[^\p{L}\p{N}]/gu, '').length < 3) {
    return index.entries
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.depth > 0 && (!folded || [e.name.kk, e.name.ru, e.name.en].some((n) => foldText(n).startsWith(folded))))
      .sort((a, b) => (b.e.usage ?? 0) - (a.e.usage ?? 0) || b.e.depth - a.e.depth || a.i - b.i)
      .slice(0, limit)
      .map(({ e }) => ({ code: e.code, score: usageBoost(e) }));
  }
  const words = [...new Set(searchTokens(query))];
  if (!words.length) return [];
  const exact = new Set(index.names.get(wholeName(query)) ?? []);
  const n = index.entries.length;
  const score = new Float64Array(n);
  const matched = new Uint16Array(n);
  let total = 0;
  for (const q of words) {
    const best = new Float64Array(n);
    let top = 0;
    for (const [v, w] of expand(index, q)) {
      top = Math.max(top, w);
      for (const [i, fw] of index.postings.get(v) ?? []) if (w * fw > best[i]) best[i] = w * fw;
    }
    total += top;
    for (let i = 0; i < n; i++)
      if (best[i] > 0) {
        score[i] += best[i];
        matched[i]++;
      }
  }
  const hits: SearchHit[] = [];
  for (let i = 0; i < n; i++) {
    if (!matched[i]) continue;
    const e = index.entries[i];
    // Share of the query explained, a little for being used often, less for whole spheres.
    let s = (score[i] / (total || 1)) * (0.6 + 0.4 * (matched[i] / words.length)) + 0.04 * usageBoost(e);
    if (e.depth === 0) s *= 0.7;
    if (exact.has(i)) s += 1;
    hits.push({ code: e.code, score: s });
  }
  return hits.sort((a, b) => b.score - a.score || a.code.localeCompare(b.code)).slice(0, limit);
}
