/**
 * The rollups of migration 003: exact after every kind of change (they equal a rebuild from
 * the appeals), exact under concurrent writers, and the statistics read from them equal the
 * same statistics counted from the appeals. Writes happen in transactions that roll back;
 * the one committed row (the concurrency check) is dated 2001 and deleted at once.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../server/catalog.ts';
import { durationBucket } from '../../server/stats/histogram.ts';
import { type GroupBy, periodCounters, periodDurations } from '../../server/stats/rollup.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const DAY = 86_400_000;

/** Rollup rows with anything counted (a change that moves a count away leaves a row of zeros). */
const COUNTED = `(created, st_new, st_assigned, st_in_progress, st_resolved, st_reopened, st_closed, st_rejected, info_requests,
  first_call, first_call_info, resolved, resolved_on_time, duration_s, rating_sum, ratings, closed, rejected, reopened)
  IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint, 0, 0, 0, 0, 0)`;
const HISTOGRAM = Array.from({ length: 60 }, (_, b) => `h${b}`).join(' + ');

/** Rows that differ between the rollups as they are and as a rebuild makes them (inside the caller's transaction). */
async function differencesFromRebuild(db: pg.PoolClient): Promise<number> {
  await db.query(`CREATE TEMP TABLE kept_s ON COMMIT DROP AS SELECT * FROM incident_rollup WHERE ${COUNTED} OR ${HISTOGRAM} <> 0`);
  await db.query(`CREATE TEMP TABLE kept_c ON COMMIT DROP AS SELECT * FROM incident_channel_rollup WHERE ${COUNTED}`);
  await db.query('SELECT incident_rollup_rebuild()');
  const { rows } = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM (SELECT * FROM kept_s EXCEPT SELECT * FROM incident_rollup) a)
          + (SELECT count(*) FROM (SELECT * FROM incident_rollup EXCEPT SELECT * FROM kept_s) b)
          + (SELECT count(*) FROM (SELECT * FROM kept_c EXCEPT SELECT * FROM incident_channel_rollup) c)
          + (SELECT count(*) FROM (SELECT * FROM incident_channel_rollup EXCEPT SELECT * FROM kept_c) d) AS n`,
  );
  return Number(rows[0].n);
}

async function inTransaction<T>(fn: (db: pg.PoolClient) => Promise<T>, isolation = 'READ COMMITTED'): Promise<T> {
  const db = await t.pool.connect();
  try {
    await db.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    return await fn(db);
  } finally {
    await db.query('ROLLBACK');
    db.release();
  }
}

describe('the rollups', () => {
  it('equal a rebuild from the appeals after loading the demo history', async () => {
    expect(await inTransaction(differencesFromRebuild)).toBe(0);
  });

  it('stay exact through every kind of change: intake, transitions, reopening, reassignment, moves, ratings, deletion', async () => {
    const n = await inTransaction(async (db) => {
      const ids = async (sql: string) => (await db.query<{ id: number }>(sql)).rows.map((r) => Number(r.id));
      const [open] = await ids(`SELECT id FROM incidents WHERE status = 'in_progress' ORDER BY id LIMIT 1`);
      const [resolved] = await ids(`SELECT id FROM incidents WHERE status = 'resolved' ORDER BY id LIMIT 1`);
      const [closed] = await ids(`SELECT id FROM incidents WHERE status = 'closed' AND rating IS NOT NULL ORDER BY id LIMIT 1`);
      const [reopenedBefore] = await ids(`SELECT incident_id AS id FROM incident_events WHERE to_status = 'reopened' ORDER BY id LIMIT 1`);
      const many = await ids(`SELECT id FROM incidents ORDER BY id DESC LIMIT 60`);
      // intake: a complaint, and an information request answered on the call
      const fresh = await ids(
        `INSERT INTO incidents (number, type, category_id, channel, status, resolution, priority, description, geom, due_at,
                                created_at, resolved_at, closed_at)
         VALUES ('HS-RT-1', 'complaint', (SELECT min(id) FROM categories WHERE depth = 2), 'web', 'new', NULL, 3, 'x',
                 ST_SetSRID(ST_MakePoint(71.39, 42.90), 4326), now() + interval '1 day', now(), NULL, NULL),
                ('HS-RT-2', 'information_request', (SELECT min(id) FROM categories WHERE depth = 2), 'phone', 'closed', 'consulted', 4, 'y',
                 ST_SetSRID(ST_MakePoint(71.40, 42.91), 4326), now() + interval '1 day', now() - interval '10 minutes', now(), now())
         RETURNING id`,
      );
      // transitions of the lifecycle
      await db.query(`UPDATE incidents SET status = 'resolved', resolution = 'fixed', resolved_at = now() WHERE id = $1`, [open]);
      await db.query(`UPDATE incidents SET status = 'reopened', resolution = NULL, resolved_at = NULL WHERE id = $1`, [resolved]);
      await db.query(
        `INSERT INTO incident_events (incident_id, action, from_status, to_status) VALUES ($1, 'transition', 'resolved', 'reopened')`,
        [resolved],
      );
      await db.query(`UPDATE incidents SET rating = CASE WHEN rating = 5 THEN 1 ELSE 5 END WHERE id = $1`, [closed]);
      // reassignment of an appeal with reopen events: they move with it
      await db.query(`UPDATE incidents SET service_id = (SELECT max(id) FROM services) WHERE id = $1`, [reopenedBefore]);
      // a move to another district (the district trigger re-derives it)
      await db.query(`UPDATE incidents SET geom = ST_SetSRID(ST_MakePoint(71.30, 42.87), 4326) WHERE id = $1`, [many[0]]);
      // a statement changing many rows, and one changing nothing counted
      await db.query(`UPDATE incidents SET service_id = (SELECT min(id) FROM services), channel = 'app' WHERE id = ANY($1::bigint[])`, [
        many,
      ]);
      await db.query(`UPDATE incidents SET description = description || '.' WHERE id = ANY($1::bigint[])`, [many]);
      // deletion of an appeal with a reopen event (not a demo row: one created above)
      await db.query(
        `INSERT INTO incident_events (incident_id, action, from_status, to_status) VALUES ($1, 'transition', 'resolved', 'reopened')`,
        [fresh[0]],
      );
      await db.query(`DELETE FROM incidents WHERE id = $1`, [fresh[0]]);
      return differencesFromRebuild(db);
    });
    expect(n).toBe(0);
  });

  it('count both of two concurrent writers of the same rollup row', async () => {
    const tag = `HS-CONC-${process.pid}`;
    const key = `grain = 'd' AND day = DATE '2001-01-01' AND channel = 'walk_in'`;
    const rollup = 'incident_channel_rollup';
    const insert = (k: number) =>
      `INSERT INTO incidents (number, type, category_id, channel, status, resolution, priority, description, geom, due_at, created_at, resolved_at, closed_at)
       VALUES ('${tag}-${k}', 'complaint', (SELECT min(id) FROM categories WHERE depth = 2), 'walk_in', 'closed', 'fixed', 3, 'concurrency check',
               ST_SetSRID(ST_MakePoint(71.39, 42.90), 4326), '2001-01-02T12:00:00+05:00', '2001-01-01T10:00:00+05:00',
               '2001-01-01T11:00:00+05:00', '2001-01-01T12:00:00+05:00')`;
    const count = async (db: pg.PoolClient) =>
      (await db.query<{ n: number }>(`SELECT coalesce(sum(created), 0)::int AS n FROM ${rollup} WHERE ${key}`)).rows[0].n;
    const a = await t.pool.connect();
    const b = await t.pool.connect();
    const r = { before: -1, seen: -1, after: -1 };
    try {
      r.before = await count(a);
      await a.query('BEGIN');
      await a.query(insert(1));
      // b's upsert of the same rollup row waits for a's transaction to end (on PGlite, whose socket
      // gives a transaction the database to itself, b's BEGIN already waits). Not awaited before a commits.
      const second = Promise.all([b.query('BEGIN'), b.query(insert(2))]);
      await new Promise((r) => setTimeout(r, 100));
      await a.query('COMMIT');
      await second;
      r.seen = await count(b);
      await b.query('COMMIT');
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await b.query('ROLLBACK').catch(() => undefined);
      await a.query(`DELETE FROM incidents WHERE number LIKE $1`, [`${tag}-%`]).catch(() => undefined);
      r.after = await count(a).catch(() => -1);
      a.release();
      b.release();
    }
    expect(r.seen).toBe(r.before + 2);
    expect(r.after).toBe(r.before);
  });

  it('bucket durations as the TypeScript reader expects', async () => {
    const seconds = [0, 30, 60, 72, 119, 120, 3599, 3600, 86_400, 1_000_000, 40_000_000, 1e9];
    const { rows } = await t.pool.query<{ b: number }>(`SELECT incident_duration_bucket(s) AS b FROM unnest($1::float8[]) s`, [seconds]);
    expect(rows.map((r) => r.b)).toEqual(seconds.map(durationBucket));
  });
});

describe('statistics over a period', () => {
  const now = Date.now();
  const cases: [string | undefined, string | undefined, GroupBy, Record<string, string[]>][] = [
    [new Date(now - 365 * DAY).toISOString(), undefined, 'none', {}],
    [new Date(now - 30 * DAY).toISOString(), undefined, 'district', {}],
    [new Date(now - 200 * DAY).toISOString(), new Date(now - 20 * DAY).toISOString(), 'month', {}],
    [
      new Date(now - 120 * DAY).toISOString(),
      new Date(now - 70 * DAY + 3_600_000 * 7).toISOString(),
      'week',
      { category: ['heating', 'cold_water'] },
    ],
    [new Date(now - 250 * DAY).toISOString(), new Date(now - 5 * DAY).toISOString(), 'service', { district: ['talas', 'asa'] }],
    [undefined, undefined, 'sphere', {}],
    [undefined, undefined, 'channel', { channel: ['phone', 'telegram'] }],
    [new Date(now - 45 * DAY).toISOString(), new Date(now - 15 * DAY).toISOString(), 'day', { service: ['vodokanal'] }],
    // read from the appeals: a category below its sphere, a channel with a service
    [new Date(now - 90 * DAY).toISOString(), undefined, 'district', { category: ['heating.low_temperature'] }],
    [new Date(now - 90 * DAY).toISOString(), undefined, 'service', { channel: ['web'] }],
  ];

  it('are the same read from the rollup and counted from the appeals', async () => {
    const catalog = await getCatalog(t.pool);
    await inTransaction(async (db) => {
      for (const [from, to, groupBy, filter] of cases) {
        const q = { filter, from, to, groupBy };
        const label = `${groupBy} ${from ?? '…'}–${to ?? 'now'} ${JSON.stringify(filter)}`;
        const rollup = await periodCounters(db, catalog, q);
        const raw = await periodCounters(db, catalog, { ...q, source: 'raw' });
        expect(rollup.size, label).toBeGreaterThan(0);
        expect(Object.fromEntries(rollup), label).toEqual(Object.fromEntries(raw));
        const h1 = await periodDurations(db, catalog, q);
        const h2 = await periodDurations(db, catalog, { ...q, source: 'raw' });
        expect(Object.fromEntries(h1), label).toEqual(Object.fromEntries(h2));
      }
    }, 'REPEATABLE READ');
  });
});
