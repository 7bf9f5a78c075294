import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import { checkout } from '../db/checkout.ts';
import type { Engine } from '../db/pool.ts';
import { Where } from '../incidents/filters.ts';
import { PUBLIC_INCIDENT_COLUMNS, PUBLIC_INCIDENT_JOINS, type PublicIncidentRow } from './public-incident.ts';

/** The position of a row in the newest-first order: its created_at (UTC, microseconds) and id. */
export interface RowKey {
  at: string;
  id: number;
}

/** created_at printed with microseconds: a JS Date would lose them and skip rows at a page edge. */
const KEY_COLUMN = `to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS row_key`;

const copyWhere = (w: Where) => {
  const c = new Where([...w.values]);
  c.conditions.push(...w.conditions);
  return c;
};

/**
 * One page of public rows, newest first, by keyset: `after` a key (the next page) or `before`
 * it (the previous page, read in reverse and turned round). Reads `limit + 1` rows to know
 * whether more lie beyond. `where` holds conditions on `incidents i`.
 */
export async function publicIncidentPage(pool: pg.Pool, where: Where, limit: number, from?: { after?: RowKey; before?: RowKey }) {
  const w = copyWhere(where);
  const backwards = Boolean(from?.before);
  const key = from?.after ?? from?.before;
  if (key) {
    w.add(`(i.created_at, i.id) ${backwards ? '>' : '<'} (${w.param(key.at)}::timestamptz, ${w.param(key.id)}::bigint)`);
  }
  const dir = backwards ? 'ASC' : 'DESC';
  const { rows } = await pool.query<PublicIncidentRow & { row_key: string }>(
    `SELECT ${PUBLIC_INCIDENT_COLUMNS}, ${KEY_COLUMN}
       FROM incidents i ${PUBLIC_INCIDENT_JOINS}
       ${w}
      ORDER BY i.created_at ${dir}, i.id ${dir}
      LIMIT ${w.param(limit + 1)}`,
    w.values,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  const keys = page.map((r) => ({ at: r.row_key, id: r.id }));
  return {
    rows: page.map(({ row_key: _, ...r }) => r as PublicIncidentRow),
    first: keys[0] as RowKey | undefined,
    last: keys.at(-1),
    /** Rows lie beyond this page in the direction it was read. */
    more,
  };
}

/** The number of rows matching `where`. */
export async function countPublicIncidents(pool: pg.Pool, where: Where, upTo?: number): Promise<number> {
  const from = upTo === undefined ? `incidents i ${where}` : `(SELECT 1 FROM incidents i ${where} LIMIT ${Math.floor(upTo) + 1}) x`;
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from}`, where.values);
  return rows[0].n;
}

/**
 * Every public row matching `where`, newest first, in batches, without holding the result in
 * memory. On PostgreSQL a server-side cursor (pg-query-stream) reads one consistent snapshot;
 * it holds a pooled connection until the last batch, so callers limit how many run at once. On
 * the embedded PGlite an open cursor would stall every other connection (it runs one
 * transaction at a time), so there the rows come in keyset pages, one short query each.
 * Stopping the iteration early (a client that went away) closes the cursor.
 */
export async function* publicIncidentBatches(
  pool: pg.Pool,
  engine: Engine,
  where: Where,
  batchSize = 1000,
): AsyncGenerator<PublicIncidentRow[]> {
  if (engine === 'pglite') {
    let after: RowKey | undefined;
    for (;;) {
      const page = await publicIncidentPage(pool, where, batchSize, after ? { after } : undefined);
      if (page.rows.length) yield page.rows;
      if (!page.more || !page.last) return;
      after = page.last;
    }
  }
  const out = await checkout(pool);
  let finished = false;
  try {
    const stream = out.client.query(
      new QueryStream(
        `SELECT ${PUBLIC_INCIDENT_COLUMNS} FROM incidents i ${PUBLIC_INCIDENT_JOINS} ${where} ORDER BY i.created_at DESC, i.id DESC`,
        where.values,
        { batchSize },
      ),
    );
    let batch: PublicIncidentRow[] = [];
    for await (const row of stream) {
      batch.push(row as PublicIncidentRow);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    finished = true;
  } finally {
    // A cursor abandoned half-way may leave the connection mid-protocol: discard it then.
    out.release(!finished);
  }
}
