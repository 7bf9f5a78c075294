import { LANGS, type Lang, type PackNames } from './pack-schema.ts';

export type FullNames = Record<Lang, string>;

/**
 * Fills the languages a pack did not write from those it did, in the pack's order (`languages`
 * in city.json, e.g. ["en"] for New York), then kk, ru, en: the database and the interface
 * always have a name in each language.
 */
export function fillNames(names: PackNames, order: readonly Lang[]): FullNames {
  const fallback = [...order, ...LANGS].map((l) => names[l]).find(Boolean) ?? '';
  return { kk: names.kk || fallback, ru: names.ru || fallback, en: names.en || fallback };
}
