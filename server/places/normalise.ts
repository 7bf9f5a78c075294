/**
 * The one normalisation of place names and house numbers, used both when a gazetteer is imported
 * and when a query is typed, so that both sides of a comparison went through the same steps.
 *
 * A search key is lower-case Cyrillic without punctuation, with Kazakh letters folded to their
 * Russian look-alikes (ә→а, ө→о, ү ұ→у, қ→к, ғ→г, ң→н, һ→х, і→и), a few letters callers confuse
 * folded too (ё→е, й ы→и, э→е, щ→ш, ь ъ dropped), Latin words transliterated to Cyrillic (the 2021
 * Kazakh Latin alphabet and common English transliteration: "Tole bi" → "толе би"), the
 * street-type words of Russian, Kazakh, English and German taken out into a type, and the
 * Russian genitive ending of a long word dropped ("ул. Абая" and "Абай көшесі" both become "абаи").
 * Trigram similarity in PostgreSQL (pg_trgm) then forgives the typos.
 */

/** Kazakh and other letters folded to one Cyrillic look-alike. */
const FOLD: Record<string, string> = {
  ә: 'а',
  ө: 'о',
  ү: 'у',
  ұ: 'у',
  қ: 'к',
  ғ: 'г',
  ң: 'н',
  һ: 'х',
  і: 'и',
  ё: 'е',
  й: 'и',
  ы: 'и',
  э: 'е',
  щ: 'ш',
  ь: '',
  ъ: '',
};

/** Latin letters with diacritics (Kazakh 2021, German, Turkish) to their base Cyrillic. */
const LATIN_SPECIAL: Record<string, string> = {
  ä: 'а',
  ö: 'о',
  ü: 'у',
  ū: 'у',
  ğ: 'г',
  ñ: 'н',
  ı: 'и',
  i̇: 'и',
  ş: 'ш',
  ç: 'ч',
  ß: 'сс',
  é: 'е',
  è: 'е',
  á: 'а',
  à: 'а',
  ó: 'о',
  ô: 'о',
  â: 'а',
  ê: 'е',
};

/** Latin letter groups, longest first, then single letters. */
const LATIN_GROUPS: [string, string][] = [
  ['shch', 'ш'],
  ['sch', 'ш'],
  ['sh', 'ш'],
  ['ch', 'ч'],
  ['zh', 'ж'],
  ['kh', 'х'],
  ['ts', 'ц'],
  ['ya', 'я'],
  ['ia', 'я'],
  ['yu', 'ю'],
  ['iu', 'ю'],
  ['yo', 'е'],
  ['ye', 'е'],
  ['ck', 'к'],
  ['ph', 'ф'],
  ['th', 'т'],
  ['oo', 'у'],
  ['ee', 'и'],
];
const LATIN_SINGLE: Record<string, string> = {
  a: 'а',
  b: 'б',
  c: 'к',
  d: 'д',
  e: 'е',
  f: 'ф',
  g: 'г',
  h: 'х',
  i: 'и',
  j: 'ж',
  k: 'к',
  l: 'л',
  m: 'м',
  n: 'н',
  o: 'о',
  p: 'п',
  q: 'к',
  r: 'р',
  s: 'с',
  t: 'т',
  u: 'у',
  v: 'в',
  w: 'у',
  x: 'кс',
  y: 'и',
  z: 'з',
};

/** Latin → Cyrillic for one lower-case word (letters only). */
export function transliterate(word: string): string {
  let out = '';
  let i = 0;
  outer: while (i < word.length) {
    for (const [from, to] of LATIN_GROUPS) {
      if (word.startsWith(from, i)) {
        out += to;
        i += from.length;
        continue outer;
      }
    }
    const c = word[i];
    out += LATIN_SPECIAL[c] ?? LATIN_SINGLE[c] ?? c;
    i++;
  }
  return out;
}

/** Lower-cased, Latin transliterated, letters folded, punctuation to spaces; digits kept. */
export function foldText(input: string): string {
  let s = input.normalize('NFC').toLowerCase();
  // Ordinals and abbreviations with a hyphen or slash that are one word ("пр-т", "ш/а", "45th").
  s = s
    .replace(/(\d)(st|nd|rd|th|-?я|-?й|-?ая|-?ый|-?ой)\b/gu, '$1')
    .replace(/(^|[^\p{L}])пр-т(?=$|[^\p{L}])/gu, '$1проспект')
    .replace(/(^|[^\p{L}])б-р(?=$|[^\p{L}])/gu, '$1бульвар')
    .replace(/(^|[^\p{L}])ш\/а(?=$|[^\p{L}])/gu, '$1шагинаудан')
    .replace(/(^|[^\p{L}])ж\/м(?=$|[^\p{L}])/gu, '$1жилмассив')
    .replace(/(^|[^\p{L}])м-н(?=$|[^\p{L}])/gu, '$1мкр');
  s = s.replace(/[a-zäöüūğñıșşçßéèáàóôâê]+/gu, (w) => transliterate(w));
  let out = '';
  for (const ch of s) out += FOLD[ch] ?? ch;
  return out
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Street-type words (as written, in any of the languages) → the type they mean. */
const TYPE_WORDS: Record<string, string> = {
  ул: 'street',
  улица: 'street',
  кошеси: 'street',
  коше: 'street',
  street: 'street',
  st: 'street',
  str: 'street',
  strasse: 'street',
  пр: 'avenue',
  просп: 'avenue',
  проспект: 'avenue',
  дангили: 'avenue',
  дангил: 'avenue',
  даңғ: 'avenue',
  avenue: 'avenue',
  ave: 'avenue',
  av: 'avenue',
  пер: 'lane',
  переулок: 'lane',
  тупик: 'lane',
  туп: 'lane',
  тупиги: 'lane',
  тупики: 'lane',
  lane: 'lane',
  ln: 'lane',
  бул: 'boulevard',
  бульвар: 'boulevard',
  бульвари: 'boulevard',
  boulevard: 'boulevard',
  blvd: 'boulevard',
  мкр: 'microdistrict',
  мкрн: 'microdistrict',
  микрорайон: 'microdistrict',
  шагинаудан: 'microdistrict',
  жилмассив: 'microdistrict',
  алаби: 'microdistrict',
  шоссе: 'highway',
  пл: 'square',
  площадь: 'square',
  алани: 'square',
  наб: 'embankment',
  набережная: 'embankment',
  road: 'road',
  rd: 'road',
  drive: 'road',
  dr: 'road',
  place: 'square',
  pl: 'square',
  court: 'lane',
  ct: 'lane',
  terrace: 'lane',
  parkway: 'road',
  pkwy: 'road',
  highway: 'highway',
  hwy: 'highway',
  expressway: 'highway',
  expy: 'highway',
  weg: 'street',
  gasse: 'lane',
};
/** The same words as they look after folding (the table is written for people, matched after foldText). */
const TYPES = new Map<string, string>(Object.entries(TYPE_WORDS).map(([w, t]) => [foldText(w), t]));

/** Long type words, for catching one typo in them ("AVNUE", "кошеси"). */
const LONG_TYPES = [...TYPES.keys()].filter((w) => w.length >= 6);

/** Whether two words differ by at most one edit (a letter dropped, added, replaced, or two swapped). */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const tail = (x: string, y: string) => x.slice(i + 1) === y.slice(i + 1);
  if (a.length === b.length) return tail(a, b) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** The street type a word means, also with one typo in a long type word; undefined for a name. */
function typeOf(word: string): string | undefined {
  const t = TYPES.get(word);
  if (t !== undefined || word.length < 5) return t;
  const near = LONG_TYPES.find((w) => oneEditApart(w, word));
  return near === undefined ? undefined : TYPES.get(near);
}

/** English compass abbreviations of street names (NYC "W 45 ST") → the word. */
const COMPASS: Record<string, string> = { w: 'west', e: 'east', n: 'north', s: 'south' };

/** Russian genitive (and similar) endings of a long word dropped: "абая" → "абаи", "батыра" → "батыр". */
function stem(word: string): string {
  if (/^\d/.test(word) || word.length < 4) return word;
  if (/[аеиоу]я$/.test(word)) return word.slice(0, -1) + 'и';
  if (/[ая]$/.test(word)) return word.slice(0, -1);
  if (word.length < 5) return word;
  if (/ого$/.test(word) && word.length > 6) return word.slice(0, -3) + 'ии';
  if (/ои$/.test(word) && word.length > 6) return word.slice(0, -2) + 'ии';
  if (/ская$/.test(word)) return word.slice(0, -4) + 'ск';
  return word;
}

export interface StreetName {
  /** The normalised name, without its type: the key the gazetteer is searched by. */
  key: string;
  /** What kind of street the words said, if any (street, avenue, microdistrict...). */
  type: string | null;
}

/** Normalises a street, place or POI name into its search key and type. */
export function normaliseName(input: string): StreetName {
  const raw = input
    .normalize('NFC')
    .toLowerCase()
    .split(/\s+/)
    .map((w) => (COMPASS[w.replace(/\.$/, '')] ? COMPASS[w.replace(/\.$/, '')] : w))
    .join(' ');
  const words = foldText(raw)
    .replace(/(^| )шагин аудани?(?= |$)/g, '$1шагинаудан')
    .replace(/(^| )тургин алаби(?= |$)/g, '$1жилмассив')
    .split(' ')
    .filter(Boolean);
  let type: string | null = null;
  const kept: string[] = [];
  words.forEach((w) => {
    const t = typeOf(w);
    const stripable = t !== undefined && words.length > 1;
    if (stripable) {
      if (t) type ??= t;
    } else kept.push(w);
  });
  const key = (kept.length ? kept : words).map(stem).join(' ');
  return { key, type };
}

/** A house number taken apart: "24а/1" → 24, "а", "1"; "12 к2" → 12, building 2. */
export interface HouseNumber {
  number: number;
  letter: string;
  slash: string;
  building: string;
  /** The normalised form searched by: "24а/1", "12к2", "35-20". */
  key: string;
}

const HOUSE = /^(\d{1,6})(?:-(\d{1,5}))?\s*([\p{L}])?(?:\s*\/\s*(\d{1,5}\p{L}?))?(?:\s*(?:к|корп|корпус|k|bldg)\.?\s*(\d{1,4}))?$/u;

/** Parses a house number as written, or null when it is not one. */
export function parseHouseNumber(input: string): HouseNumber | null {
  const s = input
    .normalize('NFC')
    .toLowerCase()
    .replace(/^(?:д|дом|уй|үй|no|nr|№)\.?\s*/u, '')
    .replace(/\s*(?:дом|уй|үй)$/u, '')
    .trim();
  const m = HOUSE.exec(s);
  if (!m) return null;
  const fold = (x: string | undefined) => (x ? foldText(x).replace(/\s/g, '') : '');
  const letter = fold(m[3]);
  const slash = fold(m[4]);
  const building = m[5] ?? '';
  const number = Number(m[1]);
  const key = `${number}${m[2] ? `-${m[2]}` : ''}${letter}${slash ? `/${slash}` : ''}${building ? `к${building}` : ''}`;
  return { number, letter, slash, building, key };
}

/** What a typed query asks for. */
export type ParsedQuery =
  | { kind: 'address'; street: StreetName; house: HouseNumber | null; text: string }
  | { kind: 'intersection'; streets: [StreetName, StreetName]; text: string };

/** Separators of two street names that mean a crossing. */
const CROSSING = /\s*(?:\/|&|\+|\s(?:x|х|и|and|и|пересечение|кр)\s|\s*×\s*|\s*—\s*|\sс\s)\s*/iu;
const CORNER = /^(?:угол|на углу|уг\.|пересечение|перекресток|перекрёсток|қиылысы|corner of|corner)\s+/iu;

/** Splits a house number off the end (or the start, English order) of an address as typed. */
function splitHouse(text: string): { street: string; house: HouseNumber | null } {
  const t = text.trim().replace(/[,\s]+$/, '');
  // Trailing: "Толе би 35", "ул. Абая, д. 12 к2", "мкр Жайлау, 12 дом", "Landstrasse 12".
  const tail =
    /(?:^|[\s,])((?:д\.?|дом|үй|no\.?|№)?\s*\d{1,6}(?:-\d{1,5})?\s*[\p{L}]?(?:\s*\/\s*\d{1,5}\p{L}?)?(?:\s*(?:к|корп|корпус)\.?\s*\d{1,4})?(?:\s*(?:дом|үй))?)$/u.exec(
      t,
    );
  if (tail) {
    const street = t.slice(0, tail.index).replace(/[,\s]+$/, '');
    const house = parseHouseNumber(tail[1]);
    // "мкр 5" alone is a name with a number, not a house.
    if (house && street && !/^(?:мкр|мкрн|микрорайон|квартал|\p{L}{1,3}\.?)$/iu.test(street)) return { street, house };
  }
  // Leading (English order): "1234 Broadway", "35-20 31st Avenue".
  const head = /^(\d{1,6}(?:-\d{1,5})?[\p{L}]?)\s+(?=\p{L}|\d+\s*\p{L})/u.exec(t);
  if (head) {
    const house = parseHouseNumber(head[1]);
    const street = t.slice(head[0].length);
    if (house && /\p{L}/u.test(street)) return { street, house };
  }
  return { street: t, house: null };
}

/** Parses a typed place query: an address (street + house) or an intersection of two streets. */
export function parseQuery(input: string): ParsedQuery {
  const text = input
    .normalize('NFC')
    .replace(
      /(^|[^\p{L}])(ш|ж)\/(а|м)(?=$|[^\p{L}])/giu,
      (_m, pre: string, a: string, b: string) =>
        `${pre}${a.toLowerCase() === 'ш' && b.toLowerCase() === 'а' ? 'шағын аудан' : 'жилмассив'}`,
    )
    .replace(/\s+/g, ' ')
    .trim();
  const corner = CORNER.test(text);
  const body = text.replace(CORNER, '');
  const parts = body.split(CROSSING).filter((p) => p.trim());
  // "угол Абая и Сулейманова" or "Толе би / Абая": two names without house numbers.
  // A number first is a house ("236 Malcolm X Boulevard"); a part that is only a type word is not a street.
  if (parts.length === 2 && !/^\d/.test(body) && (corner || /[/&×]|\s(?:x|х|and|пересечение)\s/iu.test(body))) {
    const a = normaliseName(parts[0]);
    const b = normaliseName(parts[1]);
    const real = (n: StreetName) => n.key && !TYPES.has(n.key) && !/^\d+$/.test(n.key);
    if (real(a) && real(b)) return { kind: 'intersection', streets: [a, b], text };
  }
  const { street, house } = splitHouse(text);
  return { kind: 'address', street: normaliseName(street), house, text };
}
