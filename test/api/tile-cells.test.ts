/**
 * open_incident_cells (migration 028), the city tiles' pre-aggregated copy: a z11–12 tile
 * summed from it equals the same tile grouped from every open appeal (open_incident_points),
 * after the demo load and after every kind of write, whether or not the settle job has run and
 * whatever the appeals' clock flags say. Writes happen in transactions that roll back (one
 * now() for both tiles, so the clock-dependent figures are compared at the same instant).
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type Catalog, getCatalog } from '../../server/catalog.ts';
import { incidentConditions } from '../../server/incidents/filters.ts';
import { tileSource } from '../../server/tiles/render.ts';
import { type TileSource, tileQuery } from '../../server/tiles/tile-sql.ts';
import { testApp } from '../helpers/app.ts';
import { centralOpenAppeal, tileOf } from '../helpers/tiles.ts';

const t = testApp();
let catalog: Catalog;

async function rolledBack<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  // The catalog first: the embedded engine serves one connection's transaction at a time.
  catalog = await getCatalog(t.pool);
  const db = await t.pool.connect();
  try {
    await db.query('BEGIN');
    return await fn(db);
  } finally {
    await db.query('ROLLBACK');
    db.release();
  }
}

async function rows(db: pg.PoolClient, source: TileSource, tile: { z: number; x: number; y: number }) {
  const where = incidentConditions({ status: ['open'] }, catalog);
  const { sql, values } = tileQuery(tile, where, 'rows', source);
  return (await db.query(sql, values)).rows;
}

/** Both sources' features of the tiles around `at` (default: the central appeal) at z11 and z12; returns how many cells. */
async function expectSameTiles(db: pg.PoolClient, at?: { lng: number; lat: number }): Promise<number> {
  const { lng, lat } = at ?? (await centralOpenAppeal(db));
  let compared = 0;
  for (const z of [11, 12]) {
    const tile = tileOf(lng, lat, z);
    const [cells, open] = [await rows(db, 'cells', tile), await rows(db, 'open', tile)];
    // The weight is summed in another order (and the age in exact seconds): equal to the cent.
    const strip = (r: Record<string, any>) => ({ ...r, px: Math.round(r.px), py: Math.round(r.py), weight: 0 });
    expect(cells.map(strip)).toEqual(open.map(strip));
    cells.forEach((c, i) => expect(Math.abs(c.weight - open[i].weight)).toBeLessThanOrEqual(0.011));
    compared += cells.length;
  }
  return compared;
}

describe('open_incident_cells, the city tiles’ pre-aggregated copy', () => {
  it('draws the same cell tiles as the open appeals after the demo load', async () => {
    const n = await rolledBack(expectSameTiles);
    expect(n).toBeGreaterThan(10);
  });

  it('stays equal through intake, transitions, moves, deadlines, spheres and deletion, settled or not', async () => {
    await rolledBack(async (db) => {
      const ids = async (sql: string, values: unknown[] = []) =>
        (await db.query<{ id: string }>(sql, values)).rows.map((r) => Number(r.id));
      // The writes land in the tiles around the central appeal; every comparison looks there.
      const here = await centralOpenAppeal(db);
      const { lng, lat } = here;
      // New appeals in the same tiles: already overdue, 40 days old, due tomorrow, in a group.
      const fresh = await ids(
        `INSERT INTO incidents (number, type, category_id, channel, status, priority, description, geom, created_at, due_at)
         SELECT 'TC-' || k, 'complaint', (SELECT min(id) FROM categories WHERE depth = 2), 'web', 'new', 1 + k % 4, 'x',
                ST_SetSRID(ST_MakePoint($1::float8 + k * 0.003, $2::float8 - k * 0.002), 4326),
                now() - (k * 7) * interval '1 day', now() + (k - 3) * interval '1 day'
           FROM generate_series(0, 7) k RETURNING id`,
        [lng, lat],
      );
      expect(fresh).toHaveLength(8);
      await expectSameTiles(db, here);
      const open = await ids(`SELECT id FROM incidents WHERE is_open AND id <> ALL($1::bigint[]) ORDER BY id DESC LIMIT 30`, [fresh]);
      await db.query(`UPDATE incidents SET status = 'resolved', resolution = 'fixed', resolved_at = now() WHERE id = $1`, [fresh[1]]);
      await db.query(`UPDATE incidents SET status = 'closed', resolution = 'fixed', closed_at = now() WHERE id = $1`, [fresh[1]]);
      await db.query(`UPDATE incidents SET geom = ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326) WHERE id = $1`, [
        open[0],
        lng,
        lat,
      ]);
      await db.query(`UPDATE incidents SET priority = 1 WHERE id = ANY($1::bigint[])`, [open]);
      // a deadline moved into the future takes back its overdue flag, and one moved into the past
      await db.query(`UPDATE incidents SET due_at = now() + interval '5 days' WHERE id = $1`, [fresh[0]]);
      await db.query(`UPDATE incidents SET due_at = now() - interval '5 days' WHERE id = $1`, [fresh[5]]);
      await db.query(
        `UPDATE categories SET sphere_id = (SELECT min(id) FROM categories WHERE parent_id IS NULL AND id <> categories.sphere_id)
          WHERE id = (SELECT category_id FROM incidents WHERE id = $1)`,
        [open[3]],
      );
      await db.query(`DELETE FROM incidents WHERE id = $1`, [fresh[2]]);
      await expectSameTiles(db, here);
      // The clock moved past flags that are not yet set: the tile corrects them itself.
      await db.query(`UPDATE open_incident_points SET lapsed = false, aged = false WHERE id % 2 = 0`);
      await expectSameTiles(db, here);
      // The settle job sets them and folds each square and sphere into one row.
      await db.query('SELECT open_incident_cells_settle()');
      const { rows: after } = await db.query<{ rows: number; keys: number; unset: number }>(
        `SELECT (SELECT count(*)::int FROM open_incident_cells) AS rows,
                (SELECT count(*)::int FROM (SELECT DISTINCT gx, gy, sphere_id FROM open_incident_cells) d) AS keys,
                (SELECT count(*)::int FROM open_incident_points WHERE (NOT lapsed AND due_at < now())
                                                                   OR (NOT aged AND created_at <= now() - interval '30 days')) AS unset`,
      );
      expect(after[0].rows).toBe(after[0].keys);
      expect(after[0].unset).toBe(0);
      await expectSameTiles(db, here);
      await db.query('TRUNCATE incidents CASCADE');
      expect((await db.query('SELECT 1 FROM open_incident_cells')).rowCount).toBe(0);
    });
  });

  it('is refilled with the copy by open_incident_points_rebuild()', async () => {
    await rolledBack(async (db) => {
      await db.query('DELETE FROM open_incident_cells WHERE gx % 2 = 0');
      await db.query('SELECT open_incident_points_rebuild()');
      expect(await expectSameTiles(db)).toBeGreaterThan(10);
    });
  });

  it('serves the open appeals with no other filter at zoom 11–12, and a bbox that holds the tile', () => {
    const tile = tileOf(71.38, 42.9, 12);
    expect(tileSource({ status: ['open'] }, tile)).toBe('cells');
    expect(tileSource({ status: ['open'], bbox: [-180, -85, 180, 85] }, tile)).toBe('cells');
    expect(tileSource({ status: ['open'], bbox: [71.38, 42.8, 71.5, 43] }, tile)).toBe('open');
    expect(tileSource({ status: ['open'], category: ['roads'] }, tile)).toBe('open');
    expect(tileSource({ status: ['overdue'] }, tile)).toBe('open');
    expect(tileSource({ status: ['open'] }, tileOf(71.38, 42.9, 11))).toBe('cells');
    expect(tileSource({ status: ['open'] }, tileOf(71.38, 42.9, 13))).toBe('open');
    expect(tileSource({ status: ['closed'] }, tile)).toBe('all');
  });
});
