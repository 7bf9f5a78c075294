import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { badRequest } from '../errors.ts';
import { isOpen, overdueSql } from '../domain/statuses.ts';
import type { EventRow } from '../privacy/visibility.ts';
import { incidentConditions, type IncidentFilter, Where } from './filters.ts';

/**
 * `numberMatched` is exact when it is cheap: over open appeals only (the backlog, read from
 * partial indexes, whatever the history), or when at most this many appeals match (counted
 * with a LIMIT). Beyond it, the planner's estimate, flagged as such: an exact count over
 * millions of closed appeals would cost more than the page itself and grow with the history.
 */
export const EXACT_COUNT_UP_TO = 10_000;

/** True when the filter keeps to open appeals, whose number does not grow with history. */
export function onlyOpen(filter: IncidentFilter): boolean {
  return !!filter.status?.length && filter.status.every((s) => s === 'open' || s === 'overdue' || isOpen(s));
}

/** The number of appeals matching `where` (on `incidents i`): exact when cheap, else estimated. */
export async function countMatched(pool: pg.Pool, where: Where, exact: boolean): Promise<{ n: number; estimated: boolean }> {
  if (exact) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents i ${where}`, where.values);
    return { n: rows[0].n, estimated: false };
  }
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM incidents i ${where} LIMIT ${EXACT_COUNT_UP_TO + 1}) x`,
    where.values,
  );
  if (rows[0].n <= EXACT_COUNT_UP_TO) return { n: rows[0].n, estimated: false };
  const plan = await pool.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] | string }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM incidents i ${where}`,
    where.values,
  );
  const raw = plan.rows[0]['QUERY PLAN'];
  const estimate = Math.round((typeof raw === 'string' ? JSON.parse(raw) : raw)[0].Plan['Plan Rows']);
  return { n: Math.max(estimate, EXACT_COUNT_UP_TO + 1), estimated: true };
}

/** Columns of an incident as the API shows it (no personal data: reporters live apart). */
const INCIDENT_COLUMNS = `
  i.id, i.number, i.type, c.code AS category, s.code AS sphere, i.channel, i.status, i.resolution,
  i.priority, i.description, i.address, d.code AS district, sv.code AS service,
  i.parent_id, i.reporter_count, i.photo_url, i.rating, i.escalation_level, i.reassign_count,
  i.created_at, i.assigned_at, i.started_at, i.resolved_at, i.closed_at, i.due_at, i.updated_at,
  ${overdueSql()} AS overdue,
  i.version, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat`;

const INCIDENT_JOINS = `
  JOIN categories c ON c.id = i.category_id
  LEFT JOIN categories s ON s.id = c.sphere_id
  LEFT JOIN districts d ON d.id = i.district_id
  LEFT JOIN services sv ON sv.id = i.service_id`;

export interface IncidentRow {
  id: number;
  lng: number;
  lat: number;
  [key: string]: unknown;
}

export function toFeature({ lng, lat, ...props }: IncidentRow) {
  return { type: 'Feature' as const, id: props.id, geometry: { type: 'Point' as const, coordinates: [lng, lat] }, properties: props };
}

/** List orders: newest first (default), or by deadline, earliest (most overdue) first. */
export type IncidentSort = 'created' | 'due';
const ORDERS: Record<IncidentSort, { column: string; dir: 'ASC' | 'DESC'; cmp: '<' | '>' }> = {
  created: { column: 'i.created_at', dir: 'DESC', cmp: '<' },
  due: { column: 'i.due_at', dir: 'ASC', cmp: '>' },
};

/** Keyset cursor: the last row's (sort key, id) and the order it belongs to, opaque to clients. */
export function encodeCursor(sort: IncidentSort, key: string, id: number): string {
  return Buffer.from(JSON.stringify([sort, key, id])).toString('base64url');
}

export function decodeCursor(cursor: string, sort: IncidentSort): [string, number] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      v[0] === sort &&
      typeof v[1] === 'string' &&
      !Number.isNaN(Date.parse(v[1])) &&
      Number.isSafeInteger(v[2])
    ) {
      return [v[1], v[2]];
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('Invalid cursor: pass the `next` value of a previous page unchanged, with the same sort.', [
    { path: 'cursor', message: 'not a cursor from this API for this sort' },
  ]);
}

export async function listIncidents(
  pool: pg.Pool,
  catalog: Catalog,
  filter: IncidentFilter,
  limit: number,
  cursor?: string,
  sort: IncidentSort = 'created',
) {
  const order = ORDERS[sort];
  const base = incidentConditions(filter, catalog);

  const page = new Where([...base.values]);
  page.conditions.push(...base.conditions);
  if (cursor) {
    const [at, id] = decodeCursor(cursor, sort);
    page.add(`(${order.column}, i.id) ${order.cmp} (${page.param(at)}::timestamptz, ${page.param(id)}::bigint)`);
  }
  // The key is printed in UTC with microseconds: a JS Date would lose them and skip rows.
  // The page's ids first, from the filters alone: over open appeals a covering partial index
  // answers them without visiting the heap; only the page's own rows are then read and joined.
  const pageSql = `
    WITH p AS MATERIALIZED (
      SELECT i.id FROM incidents i ${page}
       ORDER BY ${order.column} ${order.dir}, i.id ${order.dir}
       LIMIT ${page.param(limit + 1)})
    SELECT ${INCIDENT_COLUMNS},
           to_char(${order.column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_key
      FROM p JOIN incidents i ON i.id = p.id ${INCIDENT_JOINS}
     ORDER BY ${order.column} ${order.dir}, i.id ${order.dir}`;
  const [rows, count] = await Promise.all([
    pool.query<IncidentRow & { cursor_key: string }>(pageSql, page.values),
    countMatched(pool, base, onlyOpen(filter)),
  ]);
  const more = rows.rows.length > limit;
  const items = rows.rows.slice(0, limit);
  const last = items.at(-1);
  return {
    features: items.map(({ cursor_key: _, ...r }) => toFeature(r)),
    numberMatched: count.n,
    numberMatchedEstimated: count.estimated,
    next: more && last ? encodeCursor(sort, last.cursor_key, last.id) : null,
  };
}

export async function getIncident(pool: pg.Pool, id: number) {
  const { rows } = await pool.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents i ${INCIDENT_JOINS} WHERE i.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function getIncidentEvents(pool: pg.Pool, id: number) {
  const { rows } = await pool.query<EventRow>(
    `SELECT e.id, e.at, e.action, e.from_status, e.to_status, e.note, e.visibility, e.data,
            u.login AS actor_login, u.role AS actor_role
       FROM incident_events e LEFT JOIN users u ON u.id = e.actor_id
      WHERE e.incident_id = $1 ORDER BY e.id`,
    [id],
  );
  return rows;
}

/**
 * Reporters' contacts (personal data), with those of the duplicates merged into this appeal
 * (`incident_id` says whose call it was); each read is written to the access log by the
 * caller's id.
 */
export async function getReporters(pool: pg.Pool, incidentId: number, readerId: number) {
  const { rows } = await pool.query(
    `WITH logged AS (INSERT INTO personal_data_reads (user_id, incident_id) VALUES ($2, $1))
     SELECT id, incident_id, name, phone, contact, created_at FROM incident_reporters
      WHERE incident_id = $1 OR incident_id IN (SELECT id FROM incidents WHERE parent_id = $1)
      ORDER BY id`,
    [incidentId, readerId],
  );
  return rows;
}
