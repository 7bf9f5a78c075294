import type pg from 'pg';
import { cachedPerPool } from './cache.ts';
import { badRequest } from './errors.ts';
import { onCatalogueChange, syncCatalogue } from './catalogue/version.ts';

/**
 * The city's reference lists (categories, services, districts) by code, cached in memory for a
 * short while: every filtered request resolves codes here instead of asking the database.
 */
export interface CatalogEntry {
  id: number;
  code: string;
  parentId?: number | null;
}

export interface Catalog {
  categories: Map<string, CatalogEntry>;
  services: Map<string, CatalogEntry>;
  districts: Map<string, CatalogEntry>;
  /** category id -> ids of it and all its descendants */
  subtree: Map<number, number[]>;
}

const TTL_MS = 30_000;

async function loadCatalog(pool: pg.Pool): Promise<Catalog> {
  const [cats, svcs, dists] = await Promise.all([
    pool.query<{ id: number; code: string; parent_id: number | null }>('SELECT id, code, parent_id FROM categories'),
    pool.query<{ id: number; code: string }>('SELECT id, code FROM services'),
    pool.query<{ id: number; code: string }>('SELECT id, code FROM districts'),
  ]);
  const children = new Map<number, number[]>();
  for (const c of cats.rows) if (c.parent_id !== null) children.set(c.parent_id, [...(children.get(c.parent_id) ?? []), c.id]);
  const subtree = new Map<number, number[]>();
  const collect = (id: number): number[] => [id, ...(children.get(id) ?? []).flatMap(collect)];
  for (const c of cats.rows) subtree.set(c.id, collect(c.id));
  const byCode = (rows: { id: number; code: string; parent_id?: number | null }[]) =>
    new Map(rows.map((r) => [r.code, { id: r.id, code: r.code, parentId: r.parent_id ?? null }]));
  return { categories: byCode(cats.rows), services: byCode(svcs.rows), districts: byCode(dists.rows), subtree };
}

const cache = cachedPerPool(TTL_MS, loadCatalog);

/** The lists, never older than the catalogue's last edit (seen within a second on every instance). */
export async function getCatalog(pool: pg.Pool): Promise<Catalog> {
  await syncCatalogue(pool);
  return cache.get(pool);
}

/** Forget the cached lists (after a city pack load or a boundary import). */
export function invalidateCatalog(pool: pg.Pool): void {
  cache.invalidate(pool);
}
onCatalogueChange(invalidateCatalog);

/** Resolves codes to ids; an unknown code is a 400 naming the parameter and the code. */
export function idsForCodes(map: Map<string, CatalogEntry>, codes: string[], param: string): number[] {
  const unknown = codes.filter((c) => !map.has(c));
  if (unknown.length) {
    throw badRequest(
      `Unknown ${param}: ${unknown.join(', ')}.`,
      unknown.map((code) => ({ path: param, message: `unknown code "${code}"` })),
    );
  }
  return codes.map((c) => map.get(c)!.id);
}
