import { cachedPerPool } from '../cache.ts';
import type { Queryable } from './rollup.ts';
import { namesSql } from '../db/sql.ts';
import { onCatalogueChange, syncCatalogue } from '../catalogue/version.ts';

/** Names in the city's three languages. */
export interface Names {
  kk: string;
  ru: string;
  en: string;
}

export interface CategoryLabel {
  code: string;
  /** code of its sphere (itself for a sphere) */
  sphere: string;
  name: Names;
  color: string | null;
}

export interface Labels {
  categories: Map<number, CategoryLabel>;
  services: Map<number, { code: string; name: Names }>;
  districts: Map<number, { code: string; name: Names; population: number | null }>;
}

const TTL_MS = 30_000;

const names = (a: string) => `${namesSql(a)} AS name`;

async function load(pool: Queryable): Promise<Labels> {
  const [cats, svcs, dists] = await Promise.all([
    pool.query(
      `SELECT c.id, c.code, coalesce(s.code, c.code) AS sphere, ${names('c')}, coalesce(s.color, c.color) AS color
         FROM categories c LEFT JOIN categories s ON s.id = c.sphere_id`,
    ),
    pool.query(`SELECT s.id, s.code, ${names('s')} FROM services s`),
    pool.query(`SELECT d.id, d.code, ${names('d')}, d.population FROM districts d`),
  ]);
  return {
    categories: new Map(cats.rows.map((r) => [r.id, { code: r.code, sphere: r.sphere, name: r.name, color: r.color }])),
    services: new Map(svcs.rows.map((r) => [r.id, { code: r.code, name: r.name }])),
    districts: new Map(dists.rows.map((r) => [r.id, { code: r.code, name: r.name, population: r.population }])),
  };
}

/** Codes, names and colours by id, for labelling statistics; cached for 30 s like the catalog. */
const cache = cachedPerPool(TTL_MS, load);

export async function getLabels(pool: Queryable): Promise<Labels> {
  await syncCatalogue(pool);
  return cache.get(pool);
}
onCatalogueChange((pool: Queryable) => cache.invalidate(pool));
