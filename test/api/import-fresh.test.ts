import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';
import { migrate } from '../../server/db/migrate.ts';
import { importBoundaryFile } from '../../server/geodata/import-run.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { sharedData } from '../helpers/shared-data.ts';

/**
 * Issue 21: `geodata:import` on a fresh database, before the server's first start, loaded the
 * districts alone; the start then saw districts and skipped the pack (no categories, every intake
 * 400). Now the import loads the whole pack first, then the boundaries.
 */
const engine = inject('engine');
let db: Awaited<ReturnType<typeof freshDatabase>>;
let pool: ReturnType<typeof createPool>;

beforeAll(async () => {
  db = await freshDatabase(engine, 'import');
  pool = createPool(db.url, 2);
  await migrate(pool);
}, 180_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('geodata:import before the first start', () => {
  it('loads the city pack first, so the city is whole, and the first start keeps it', async () => {
    const fields = { code: 'KATO', nameKk: 'ADM2_KK', nameRu: 'ADM2_RU', nameEn: 'ADM2_EN' };
    const result = await importBoundaryFile(pool, {
      city: 'taraz',
      file: sharedData('kz/astana-districts.geojson'),
      fields,
      replace: true,
    });
    expect(result).toMatchObject({ packLoaded: true, imported: 5, removed: 12 });
    const count = async () =>
      (
        await pool.query(
          `SELECT (SELECT count(*) FROM categories)::int AS categories, (SELECT count(*) FROM services)::int AS services,
                  (SELECT count(*) FROM districts)::int AS districts, (SELECT count(*) FROM calendar_days)::int AS days`,
        )
      ).rows[0];
    const after = await count();
    expect(after.categories).toBeGreaterThan(200);
    // every service of the pack
    expect(after.services).toBe(JSON.parse(readFileSync('geodata/taraz/services.json', 'utf8')).length);
    expect(after.districts).toBe(5);
    expect(after.days).toBeGreaterThan(50);
    await prepareDatabase(pool, { city: 'taraz', demo: false, demoCount: 0 });
    expect(await count()).toEqual(after);
    // A second import finds the pack there and loads only the boundaries.
    const again = await importBoundaryFile(pool, { city: 'taraz', file: sharedData('kz/astana-districts.geojson'), fields });
    expect(again).toMatchObject({ packLoaded: false, imported: 5, removed: 0 });
  });
});
