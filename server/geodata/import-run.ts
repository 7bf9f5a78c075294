import type pg from 'pg';
import { cityPackLoaded, ensureCityPack } from '../boot.ts';
import { catalogueChanged } from '../catalogue/version.ts';
import { withTransaction } from '../db/pool.ts';
import { log } from '../log.ts';
import { importDistricts, readFeatures, type FieldMapping, type ImportResult } from './import.ts';

export interface ImportRequest {
  /** The city pack (JARDEM_CITY) to load first when the database has none yet. */
  city: string;
  file: string;
  fields: FieldMapping;
  /** FIELD=VALUE filters a feature must all pass. */
  where?: (readonly [string, string])[];
  srid?: number;
  replace?: boolean;
}

/**
 * What `geodata:import` does for one file. On a database where no city pack was loaded yet
 * (before the server's first start) it loads the whole pack first and says so: importing
 * districts alone would leave the city without categories, and every intake would be refused.
 */
export async function importBoundaryFile(pool: pg.Pool, req: ImportRequest): Promise<ImportResult & { packLoaded: boolean }> {
  const packLoaded = !(await cityPackLoaded(pool));
  if (packLoaded) {
    log.warn({ city: req.city }, 'no city pack in this database yet: loading the pack (JARDEM_CITY) first, then the boundaries');
    await ensureCityPack(pool, req.city);
  }
  const { features, srid } = await readFeatures(req.file);
  const chosen = features.filter((f) => (req.where ?? []).every(([k, v]) => String(f.properties?.[k]) === v));
  if (chosen.length === 0)
    throw new Error(`${req.file}: no feature matches ${(req.where ?? []).map((w) => w.join('=')).join(', ') || '(no filter)'}`);
  const result = await withTransaction(pool, (client) =>
    importDistricts(client, chosen, req.fields, { srid: req.srid ?? srid, replace: req.replace, source: req.file.split('/').pop() }),
  );
  // Every cache hanging on the catalogue (codes, labels, /api/meta, cached answers), not only the codes (h-catfix).
  catalogueChanged(pool);
  return { ...result, packLoaded };
}
