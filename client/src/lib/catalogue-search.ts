import { buildIndex, searchCatalogue, type CatalogueIndex } from '../../../server/catalogue/search.ts';
import type { Category } from './api.ts';

/**
 * The catalogue search in the browser: the index is built once from the catalogue /api/meta
 * sent (a few tens of milliseconds for 1,000+ kinds) and every keystroke is searched locally,
 * with no request, so results follow the typing at once.
 */
let built: { list: Category[]; index: CatalogueIndex } | null = null;

function indexOf(list: Category[]): CatalogueIndex {
  if (built?.list !== list) built = { list, index: buildIndex(list) };
  return built.index;
}

/** The nodes that best match what the caller said, best first (spheres left out when `kindsOnly`). */
export function searchCategories(
  list: Category[],
  byCode: Map<string, Category>,
  query: string,
  limit: number,
  kindsOnly = false,
): Category[] {
  if (!list.length) return [];
  return searchCatalogue(indexOf(list), query, kindsOnly ? limit * 2 : limit)
    .map((h) => byCode.get(h.code)!)
    .filter((c) => c && (!kindsOnly || c.depth > 0))
    .slice(0, limit);
}
