/**
 * open_incident_points (migration 012), the map's narrow copy of the backlog: it equals the open
 * appeals after the demo load and after every kind of change, and a tile drawn from it equals
 * the same tile drawn from the incidents table. Writes happen in transactions that roll back.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../server/catalog.ts';
import { incidentConditions, type IncidentFilter } from '../../server/incidents/filters.ts';
import { type TileSource, tileQuery } from '../../server/tiles/tile-sql.ts';
import { testApp } from '../helpers/app.ts';
import { centralOpenAppeal, tileOf } from '../helpers/tiles.ts';

const t = testApp();

const COLUMNS = 'id, number, type, category_id, channel, status, priority, district_id, service_id, created_at, due_at';

/** Rows that differ between the copy and the open appeals (both ways), positions included. */
async function differences(db: pg.PoolClient | pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `WITH copy AS (SELECT ${COLUMNS}, sphere_id, ST_AsText(geom) AS geom, ST_AsText(g) AS g, x = ST_X(g) AND y = ST_Y(g) AS xy
                     FROM open_incident_points),
          open AS (SELECT ${COLUMNS}, (SELECT c.sphere_id FROM categories c WHERE c.id = i.category_id), ST_AsText(geom) AS geom,
                          ST_AsText(ST_Transform(geom, 3857)) AS g, true AS xy
                     FROM incidents i WHERE is_open)
     SELECT (SELECT count(*) FROM (SELECT * FROM copy EXCEPT SELECT * FROM open) a)
          + (SELECT count(*) FROM (SELECT * FROM open EXCEPT SELECT * FROM copy) b) AS n`,
  );
  return Number(rows[0].n);
}

async function rolledBack<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const db = await t.pool.connect();
  try {
    await db.query('BEGIN');
    return await fn(db);
  } finally {
    await db.query('ROLLBACK');
    db.release();
  }
}

describe('open_incident_points, the map’s copy of the backlog', () => {
  it('holds exactly the open appeals after the demo load', async () => {
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM open_incident_points');
    expect(rows[0].n).toBeGreaterThan(50);
    expect(await differences(t.pool)).toBe(0);
  });

  it('follows intake, transitions, closing, reopening, moves, reassignment, deletion and truncation', async () => {
    await rolledBack(async (db) => {
      const ids = async (sql: string) => (await db.query<{ id: string }>(sql)).rows.map((r) => Number(r.id));
      const [fresh] = await ids(
        `INSERT INTO incidents (number, type, category_id, channel, status, priority, description, geom, due_at)
         VALUES ('MP-1', 'complaint', (SELECT min(id) FROM categories WHERE depth = 2), 'web', 'new', 3, 'x',
                 ST_SetSRID(ST_MakePoint(71.39, 42.90), 4326), now() + interval '1 day') RETURNING id`,
      );
      expect((await db.query('SELECT 1 FROM open_incident_points WHERE id = $1', [fresh])).rowCount).toBe(1);
      const [open] = await ids(`SELECT id FROM incidents WHERE status = 'in_progress' ORDER BY id LIMIT 1`);
      const [closed] = await ids(`SELECT id FROM incidents WHERE status = 'closed' ORDER BY id LIMIT 1`);
      const many = await ids(`SELECT id FROM incidents WHERE is_open ORDER BY id DESC LIMIT 40`);
      await db.query(`UPDATE incidents SET status = 'resolved', resolution = 'fixed', resolved_at = now() WHERE id = $1`, [open]);
      await db.query(`UPDATE incidents SET status = 'closed', resolution = 'fixed', closed_at = now() WHERE id = $1`, [fresh]);
      expect((await db.query('SELECT 1 FROM open_incident_points WHERE id = $1', [fresh])).rowCount).toBe(0);
      await db.query(`UPDATE incidents SET status = 'reopened', resolution = NULL, closed_at = NULL WHERE id = $1`, [closed]);
      expect((await db.query('SELECT 1 FROM open_incident_points WHERE id = $1', [closed])).rowCount).toBe(1);
      // a move (the district trigger re-derives the district), a reassignment of many, a new deadline
      await db.query(`UPDATE incidents SET geom = ST_SetSRID(ST_MakePoint(71.30, 42.87), 4326) WHERE id = $1`, [many[0]]);
      await db.query(`UPDATE incidents SET service_id = (SELECT min(id) FROM services), priority = 1 WHERE id = ANY($1::bigint[])`, [many]);
      await db.query(`UPDATE incidents SET due_at = due_at + interval '1 day' WHERE id = $1`, [many[1]]);
      // a category moved to another sphere
      await db.query(
        `UPDATE categories SET sphere_id = (SELECT min(id) FROM categories WHERE parent_id IS NULL AND id <> categories.sphere_id)
          WHERE id = (SELECT category_id FROM incidents WHERE id = $1)`,
        [many[3]],
      );
      await db.query(`DELETE FROM incidents WHERE id = $1`, [fresh]);
      await db.query(`DELETE FROM incident_events WHERE incident_id = $1`, [many[2]]);
      await db.query(`DELETE FROM incident_reporters WHERE incident_id = $1`, [many[2]]);
      await db.query(`UPDATE incidents SET parent_id = NULL WHERE parent_id = $1`, [many[2]]);
      await db.query(`DELETE FROM incidents WHERE id = $1`, [many[2]]);
      expect(await differences(db)).toBe(0);
      await db.query('TRUNCATE incidents CASCADE');
      expect((await db.query('SELECT 1 FROM open_incident_points')).rowCount).toBe(0);
    });
  });

  it('is refilled by open_incident_points_rebuild() after a load without triggers', async () => {
    await rolledBack(async (db) => {
      await db.query('DELETE FROM open_incident_points WHERE id % 3 = 0');
      await db.query(`UPDATE open_incident_points SET status = 'x', sphere_id = NULL, x = 0 WHERE id % 3 = 1`);
      expect(await differences(db)).toBeGreaterThan(0);
      await db.query('SELECT open_incident_points_rebuild()');
      expect(await differences(db)).toBe(0);
    });
  });

  /** Features of one tile in the JS path's row form (tile coordinates and properties), from one source. */
  async function tileRows(source: TileSource, z: number, x: number, y: number, filter: IncidentFilter) {
    const where = incidentConditions(filter, await getCatalog(t.pool));
    const { sql, values } = tileQuery({ z, x, y }, where, 'rows', source);
    return (await t.pool.query(sql, values)).rows;
  }

  it('draws the same tiles as the incidents table, cells and points, with and without filters', async () => {
    // The tiles around the city centre (centralOpenAppeal).
    const { lng, lat } = await centralOpenAppeal(t.pool);
    const sphere = [...(await getCatalog(t.pool)).categories.values()].find((c) => !c.parentId)!.code;
    let compared = 0;
    for (const z of [11, 12, 14, 15]) {
      const { x, y } = tileOf(lng, lat, z);
      for (const filter of [
        { status: ['open'] },
        { status: ['overdue'] },
        { status: ['new', 'assigned'], category: [sphere] },
      ] as IncidentFilter[]) {
        const [copy, table] = [await tileRows('open', z, x, y, filter), await tileRows('all', z, x, y, filter)];
        // Cell centres are means of projected points: equal to within rounding of the projection.
        const round = (r: Record<string, any>) => ({ ...r, px: Math.round(r.px), py: Math.round(r.py), weight: Math.round(r.weight) });
        expect(copy.map(round)).toEqual(table.map(round));
        compared += copy.length;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });
});
