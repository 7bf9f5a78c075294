import type pg from 'pg';

/**
 * How the city pack names the centre to people: its default language, its phone number and the
 * centre's name ("Jardem 109", "NYC 311"), from the stored city settings (city_settings, written
 * from the pack's city.json). Used where the server writes names itself: the page title of the
 * app and the demo accounts' display names.
 */
export interface CentreFace {
  lang: 'kk' | 'ru' | 'en';
  phone: string;
  /** The centre's name in `lang`. */
  centre: string;
}

type Lang = CentreFace['lang'];
const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];

/** The face of stored city settings (any shape: a pack of before the centre's name, or none at all). */
export function centreFace(city: Record<string, unknown> | undefined): CentreFace {
  const c = city ?? {};
  const languages = Array.isArray(c.languages) ? c.languages.filter((l): l is Lang => LANGS.includes(l as Lang)) : [];
  const lang: Lang = LANGS.includes(c.language as Lang) ? (c.language as Lang) : (languages[0] ?? 'ru');
  const phone =
    typeof c.phone === 'string' && c.phone ? c.phone : typeof c.numberPrefix === 'string' && c.numberPrefix ? c.numberPrefix : '109';
  const names = (c.centreName ?? {}) as Partial<Record<Lang, unknown>>;
  const named = [names[lang], ...languages.map((l) => names[l]), ...LANGS.map((l) => names[l])].find(
    (n): n is string => typeof n === 'string' && n.trim() !== '',
  );
  return { lang, phone, centre: named ?? `Jardem ${phone}` };
}

/** The face of the city loaded in this database. */
export async function readCentreFace(db: Pick<pg.Pool, 'query'>): Promise<CentreFace> {
  const { rows } = await db.query<{ value: Record<string, unknown> }>(`SELECT value FROM city_settings WHERE key = 'city'`);
  return centreFace(rows[0]?.value);
}
