import { describe, expect, inject, it } from 'vitest';
import { createPool } from '../../server/db/pool.ts';

/**
 * Regressions of the embedded engine's socket (server/db/embedded-server.ts); on PostgreSQL
 * these only restate what the protocol promises.
 *
 * 1. pglite-socket interleaved one connection's extended-query
 * pipeline (Parse … Sync) with another connection's BEGIN and statements, so a query could
 * receive another query's rows or fail with `portal "" does not exist` (seen as a dispatcher's
 * session read answering with another user, and intake reading a category that "did not
 * exist"). Every query here must get its own answer while transactions run beside it.
 * 2. PGlite answered an error inside a pipeline with an extra ReadyForQuery; the ROLLBACK sent
 *    on the error took it as its own answer, and from then on each query on that connection
 *    received the answer of the one before (seen as a count(*) with no row, and a 403 for a
 *    dispatcher whose session read returned someone else).
 */
describe('many connections at once', () => {
  it('each parameterised query gets its own rows, beside concurrent transactions', async () => {
    const pool = createPool(inject('databaseUrl'), 12);
    let right = 0;
    const wrong: string[] = [];
    try {
      const plain = async (w: number) => {
        for (let i = 0; i < 60; i++) {
          const v = w * 1000 + i;
          try {
            const { rows } = await pool.query('SELECT $1::int AS v, md5($2) AS h FROM generate_series(1, 1 + $1::int % 3) LIMIT 1', [
              v,
              String(v),
            ]);
            if (rows[0]?.v === v) right++;
            else wrong.push(`${v} got ${JSON.stringify(rows[0])}`);
          } catch (err) {
            wrong.push(`${v}: ${(err as Error).message}`);
          }
        }
      };
      const transactional = async (w: number) => {
        for (let i = 0; i < 25; i++) {
          const v = -(w * 1000 + i);
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const { rows } = await c.query('SELECT $1::int AS v', [v]);
            if (rows[0]?.v === v) right++;
            else wrong.push(`${v} got ${JSON.stringify(rows[0])}`);
            await c.query('COMMIT');
          } catch (err) {
            wrong.push(`${v}: ${(err as Error).message}`);
            await c.query('ROLLBACK').catch(() => undefined);
          } finally {
            c.release();
          }
        }
      };
      await Promise.all([...[1, 2, 3, 4].map(transactional), ...[5, 6, 7, 8, 9, 10, 11, 12].map(plain)]);
    } finally {
      await pool.end();
    }
    expect(wrong).toEqual([]);
    expect(right).toBe(4 * 25 + 8 * 60);
  });

  it.each([
    [
      'a CHECK violation',
      `INSERT INTO incident_reporters (incident_id, name) VALUES ((SELECT min(id) FROM incidents), $1)`,
      ['x'.repeat(300)],
    ],
    ['an unknown relation (error at Parse)', 'SELECT * FROM no_such_table WHERE id = $1', [1]],
    ['a bad parameter (error at Bind)', 'SELECT $1::int AS v', ['not a number']],
  ] as [string, string, unknown[]][])('answers each statement once after %s inside a transaction', async (_what, sql, values) => {
    const pool = createPool(inject('databaseUrl'), 1);
    try {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        // The ROLLBACK goes out as soon as the error comes back, as withTransaction does.
        const [failed, rolledBack] = await Promise.all([
          c.query(sql, values).then(
            () => null,
            (e: Error) => e,
          ),
          c.query('ROLLBACK'),
        ]);
        expect(failed).toBeInstanceOf(Error);
        expect(rolledBack.command).toBe('ROLLBACK');
        for (const v of ['one', 'two', 'three']) expect((await c.query('SELECT $1::text AS v', [v])).rows).toEqual([{ v }]);
      } finally {
        c.release();
      }
    } finally {
      await pool.end();
    }
  });
});
