import type pg from 'pg';
import { scopeCondition, type AppealScope } from '../auth/scope.ts';
import { Where } from '../incidents/filters.ts';
import type { Db } from '../lifecycle/duplicates.ts';

/** Statuses an executor works on in the field. */
export const FIELD_STATUSES = ['assigned', 'in_progress', 'reopened'] as const;

/** Most appeals one work list shows (a crew's day; the rest come as the list empties). */
export const WORK_LIMIT = 300;

export interface WorkItem {
  id: number;
  number: string;
  status: string;
  type: string;
  category: string;
  service: string | null;
  address: string | null;
  description: string;
  created_at: string;
  due_at: string;
  version: number;
  /** [lng, lat] */
  location: [number, number];
  /** Metres from `near`, when given. */
  distance_m: number | null;
  /** The latest pause, unless resumed or taken since. */
  paused: { reason: string; note: string | null; at: string } | null;
  photos: { before: number; after: number };
}

/**
 * The open appeals the field works on within the scope (an executor's service, a supervisor's
 * districts), by deadline or by distance (metres on the sphere, PostGIS) from `near` ([lng, lat]).
 */
export async function workList(
  pool: pg.Pool,
  scope: AppealScope,
  sort: 'due' | 'distance',
  near: [number, number] | null,
): Promise<WorkItem[]> {
  const w = new Where();
  w.add(`i.status = ANY(${w.param(FIELD_STATUSES)}::text[])`);
  scopeCondition(scope, w);
  const here = near ? `ST_SetSRID(ST_MakePoint(${w.param(near[0])}::float8, ${w.param(near[1])}::float8), 4326)` : null;
  const distance = here ? `ST_Distance(i.geom::geography, ${here}::geography)` : 'NULL::float8';
  const order = sort === 'distance' && here ? `${distance}, i.due_at, i.id` : 'i.due_at, i.id';
  const { rows } = await pool.query(
    `SELECT i.id::int, i.number, i.status, i.type, c.code AS category, s.code AS service, i.address, i.description,
            i.created_at, i.due_at, i.version, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat, ${distance} AS distance_m,
            p.data->>'reason' AS pause_reason, p.note AS pause_note, p.at AS paused_at, (p.data->>'action') = 'pause' AS paused,
            (SELECT count(*)::int FROM incident_photos f WHERE f.incident_id = i.id AND f.kind = 'before') AS before_n,
            (SELECT count(*)::int FROM incident_photos f WHERE f.incident_id = i.id AND f.kind = 'after') AS after_n
       FROM incidents i
       JOIN categories c ON c.id = i.category_id
       LEFT JOIN services s ON s.id = i.service_id
       LEFT JOIN LATERAL (
         SELECT e.data, e.note, e.at FROM incident_events e
          WHERE e.incident_id = i.id AND (e.data->>'action') IN ('pause', 'resume', 'take')
          ORDER BY e.id DESC LIMIT 1) p ON true
       ${w} ORDER BY ${order} LIMIT ${WORK_LIMIT}`,
    w.values,
  );
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    type: r.type,
    category: r.category,
    service: r.service,
    address: r.address,
    description: r.description,
    created_at: new Date(r.created_at).toISOString(),
    due_at: new Date(r.due_at).toISOString(),
    version: r.version,
    location: [Number(r.lng), Number(r.lat)],
    distance_m: r.distance_m === null ? null : Math.round(Number(r.distance_m)),
    paused: r.paused ? { reason: r.pause_reason, note: r.pause_note, at: new Date(r.paused_at).toISOString() } : null,
    photos: { before: r.before_n, after: r.after_n },
  }));
}

export interface PhotoRow {
  id: number;
  incident_id: number;
  kind: 'before' | 'after';
  taken_at: string;
  position: [number, number] | null;
  accuracy_m: number | null;
  uploaded_by: number | null;
  uploaded_at: string;
  storage_key: string;
  content_type: string;
  size_bytes: number;
  width: number;
  height: number;
  published: boolean;
}

const PHOTO_COLUMNS = `id::int, incident_id::int, kind, taken_at, ST_X(position) AS lng, ST_Y(position) AS lat, accuracy_m, uploaded_by,
  uploaded_at, storage_key, content_type, size_bytes, width, height, published`;

function toPhoto(r: Record<string, unknown>): PhotoRow {
  return {
    ...(r as unknown as PhotoRow),
    taken_at: new Date(r.taken_at as string).toISOString(),
    uploaded_at: new Date(r.uploaded_at as string).toISOString(),
    position: r.lng === null ? null : [Number(r.lng), Number(r.lat)],
  };
}

export async function insertPhoto(db: Db, p: Omit<PhotoRow, 'id' | 'uploaded_at' | 'published'>): Promise<PhotoRow> {
  const { rows } = await db.query(
    `INSERT INTO incident_photos (incident_id, kind, taken_at, position, accuracy_m, uploaded_by, storage_key, content_type, size_bytes, width, height)
     VALUES ($1, $2, $3, CASE WHEN $4::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326) END,
             $6, $7, $8, $9, $10, $11, $12)
     RETURNING ${PHOTO_COLUMNS}`,
    [
      p.incident_id,
      p.kind,
      p.taken_at,
      p.position?.[0] ?? null,
      p.position?.[1] ?? null,
      p.accuracy_m,
      p.uploaded_by,
      p.storage_key,
      p.content_type,
      p.size_bytes,
      p.width,
      p.height,
    ],
  );
  return toPhoto(rows[0]);
}

export async function getPhoto(db: Db, id: number): Promise<PhotoRow | null> {
  const { rows } = await db.query(`SELECT ${PHOTO_COLUMNS} FROM incident_photos WHERE id = $1`, [id]);
  return rows[0] ? toPhoto(rows[0]) : null;
}

export async function photosOf(db: Db, incidentId: number): Promise<PhotoRow[]> {
  const { rows } = await db.query(`SELECT ${PHOTO_COLUMNS} FROM incident_photos WHERE incident_id = $1 ORDER BY id`, [incidentId]);
  return rows.map(toPhoto);
}

export interface CheckRow {
  id: number;
  acted_at: string;
  received_at: string;
  position: [number, number] | null;
  distance_m: number | null;
  far_m: number;
  photo_ids: number[];
  flags: string[];
  resolved_by: number | null;
}

export async function checksOf(db: Db, incidentId: number): Promise<CheckRow[]> {
  const { rows } = await db.query(
    `SELECT id::int, acted_at, received_at, ST_X(position) AS lng, ST_Y(position) AS lat, distance_m, far_m,
            photo_ids::int[] AS photo_ids, flags, resolved_by
       FROM incident_resolution_checks WHERE incident_id = $1 ORDER BY id`,
    [incidentId],
  );
  return rows.map((r) => ({
    id: r.id,
    acted_at: new Date(r.acted_at).toISOString(),
    received_at: new Date(r.received_at).toISOString(),
    position: r.lng === null ? null : [Number(r.lng), Number(r.lat)],
    distance_m: r.distance_m === null ? null : Math.round(Number(r.distance_m)),
    far_m: r.far_m,
    photo_ids: r.photo_ids,
    flags: r.flags,
    resolved_by: r.resolved_by,
  }));
}
