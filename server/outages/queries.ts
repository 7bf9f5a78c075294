/**
 * The outage register's SQL: areas made and checked by PostGIS, the affected estimate, the list
 * with its filters (values always as parameters), and the point-in-outage look-up that intake
 * and the bots ask. Geometry EPSG:4326, [lng, lat]; buffers in metres (geography); times UTC.
 */
import type pg from 'pg';
import { idsForCodes, type Catalog } from '../catalog.ts';
import { namesSql } from '../db/sql.ts';
import { Where } from '../incidents/filters.ts';
import type { AppealScope } from '../auth/scope.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { Area, OutageCreate, OutageListQuery, OutagePatch } from './schema.ts';

type Db = pg.Pool | pg.PoolClient;

export type OutageStatus = 'planned' | 'active' | 'overdue' | 'ended';

export interface OutageRow {
  id: string;
  kind: string;
  geometry: unknown;
  starts_at: Date;
  expected_end_at: Date;
  ended_at: Date | null;
  notice: { kk: string | null; ru: string | null; en: string | null };
  call_count: number;
  affected_addresses: number | null;
  affected_people: number | null;
  area_source: unknown;
  services: { code: string; name: { kk: string; ru: string; en: string } }[];
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  status: OutageStatus;
}

/** The columns of one outage as a feature reads them; `$1` is the instant the status is judged at. */
const COLUMNS = `
  o.id, o.kind, ST_AsGeoJSON(o.geom, 6)::json AS geometry, o.starts_at, o.expected_end_at, o.ended_at,
  json_build_object('kk', o.notice_kk, 'ru', o.notice_ru, 'en', o.notice_en) AS notice,
  o.call_count, o.affected_addresses, o.affected_people, o.area_source, o.created_by, o.created_at, o.updated_at, o.version,
  coalesce((SELECT json_agg(json_build_object('code', s.code, 'name', ${namesSql('s')}) ORDER BY s.code)
              FROM outage_services os JOIN services s ON s.id = os.service_id WHERE os.outage_id = o.id), '[]'::json) AS services,
  CASE WHEN o.ended_at IS NOT NULL AND o.ended_at <= $1 THEN 'ended'
       WHEN o.starts_at > $1 THEN 'planned'
       WHEN o.expected_end_at < $1 THEN 'overdue'
       ELSE 'active' END AS status`;

/** Started and not ended at `$n` (an outage closed later than that instant was still on then). */
const activeAt = (n: number) => `(o.starts_at <= $${n} AND (o.ended_at IS NULL OR o.ended_at > $${n}))`;

/** The outages the filters select, newest start first, at most `limit`. */
export async function listOutages(db: Db, catalog: Catalog, q: OutageListQuery, now: Date): Promise<OutageRow[]> {
  const w = new Where([q.time ? new Date(q.time) : now]);
  if (q.active === 'true') w.add(activeAt(1));
  if (q.active === 'false') w.add(`NOT ${activeAt(1)}`);
  if (q.kind) w.add(`o.kind = ANY(${w.param(q.kind)}::text[])`);
  if (q.service) {
    const ids = idsForCodes(catalog.services, q.service, 'service');
    w.add(`EXISTS (SELECT 1 FROM outage_services os WHERE os.outage_id = o.id AND os.service_id = ANY(${w.param(ids)}::int[]))`);
  }
  if (q.bbox) {
    const [a, b, c, d] = q.bbox.map((v) => w.param(v));
    w.add(`o.geom && ST_MakeEnvelope(${a}, ${b}, ${c}, ${d}, 4326)`);
  }
  if (q.at) {
    const pt = `ST_SetSRID(ST_MakePoint(${w.param(q.at[0])}::float8, ${w.param(q.at[1])}::float8), 4326)`;
    w.add(`ST_Intersects(o.geom, ${pt})`);
    if (q.category) {
      const [categoryId] = idsForCodes(catalog.categories, [q.category], 'category');
      w.add(
        `EXISTS (SELECT 1 FROM outage_services os WHERE os.outage_id = o.id AND os.service_id = route_service(${w.param(categoryId)}::int,
           (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ${pt}) ORDER BY d.id LIMIT 1)))`,
      );
    }
  }
  const { rows } = await db.query<OutageRow>(
    `SELECT ${COLUMNS} FROM outages o ${w} ORDER BY o.starts_at DESC, o.id DESC LIMIT ${w.param(q.limit)}`,
    w.values,
  );
  return rows;
}

export async function getOutage(db: Db, id: number, now: Date): Promise<OutageRow | undefined> {
  const { rows } = await db.query<OutageRow>(`SELECT ${COLUMNS} FROM outages o WHERE o.id = $2`, [now, id]);
  return rows[0];
}

/**
 * The area as a valid MultiPolygon (EWKB hex) from a drawn polygon or from picked places; a
 * self-intersecting or otherwise invalid polygon is a 400 with PostGIS's reason, an area outside
 * every district a 422.
 */
async function makeArea(
  db: pg.PoolClient,
  b: { area?: Area; places?: { ids: number[]; buffer_m: number } },
): Promise<{ geom: string; source: object }> {
  let geom: string;
  let source: object;
  if (b.area) {
    const { rows } = await db.query<{ valid: boolean; reason: string; geom: string }>(
      `SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason, ST_Multi(g) AS geom
         FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) x`,
      [JSON.stringify(b.area)],
    );
    if (!rows[0].valid) {
      throw badRequest(`The area is not a valid polygon: ${rows[0].reason}.`, [{ path: 'area', message: rows[0].reason }]);
    }
    geom = rows[0].geom;
    source = { kind: 'drawn' };
  } else {
    const { ids, buffer_m } = b.places!;
    const { rows } = await db.query<{ found: number[]; geom: string | null }>(
      `SELECT array_agg(p.id) AS found,
              ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(ST_Buffer(p.geom::geography, $2)::geometry)), 3)) AS geom
         FROM places p WHERE p.id = ANY($1::bigint[])`,
      [ids, buffer_m],
    );
    const found = new Set((rows[0].found ?? []).map(Number));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) {
      throw badRequest(
        `Unknown places: ${missing.join(', ')}.`,
        missing.map((id) => ({ path: 'places.ids', message: `no place ${id}` })),
      );
    }
    geom = rows[0].geom!;
    source = { kind: 'places', places: ids, buffer_m };
  }
  const inside = await db.query<{ ok: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM districts d WHERE ST_Intersects(d.geom, $1::geometry)) AS ok',
    [geom],
  );
  if (!inside.rows[0].ok) {
    throw new AppError(422, 'outside_city', 'The area is outside the city: no district overlaps it.', [
      { path: 'area', message: 'not inside any district of the city' },
    ]);
  }
  return { geom, source };
}

/**
 * Who is affected: the addresses inside the area when the gazetteer holds addresses (else null),
 * and the people as each district's population × the share of its area covered (null when no
 * district overlapping it has a population).
 */
const ESTIMATE = `
  UPDATE outages o SET
    affected_addresses = CASE WHEN EXISTS (SELECT 1 FROM places WHERE kind = 'address')
      THEN (SELECT count(*) FROM places p WHERE p.kind = 'address' AND ST_Intersects(p.geom, o.geom))::int END,
    affected_people = (SELECT round(sum(d.population * ST_Area(ST_Intersection(d.geom, o.geom)::geography)
                                         / nullif(ST_Area(d.geom::geography), 0)))::int
                         FROM districts d WHERE d.population IS NOT NULL AND ST_Intersects(d.geom, o.geom))
  WHERE o.id = $1`;

/** Service codes → ids; unknown or inactive codes are a 400. */
async function serviceIds(db: pg.PoolClient, codes: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: number; code: string }>('SELECT id, code FROM services WHERE code = ANY($1::text[]) AND active', [
    codes,
  ]);
  const known = new Map(rows.map((r) => [r.code, r.id]));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length)
    throw badRequest(
      `Unknown service: ${unknown.join(', ')}.`,
      unknown.map((c) => ({ path: 'services', message: `unknown code "${c}"` })),
    );
  return [...new Set(codes.map((c) => known.get(c)!))];
}

async function setServices(db: pg.PoolClient, id: number, ids: number[]): Promise<void> {
  await db.query('DELETE FROM outage_services WHERE outage_id = $1', [id]);
  await db.query('INSERT INTO outage_services (outage_id, service_id) SELECT $1, unnest($2::int[])', [id, ids]);
}

/** Registers an outage; its id. */
export async function createOutage(
  db: pg.PoolClient,
  b: OutageCreate,
  userId: number | null,
  scope: AppealScope = { kind: 'all' },
): Promise<number> {
  const services = await serviceIds(db, b.services);
  const area = await makeArea(db, b);
  await assertInScope(db, area.geom, scope);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO outages (kind, geom, area_source, starts_at, expected_end_at, notice_kk, notice_ru, notice_en, created_by)
     VALUES ($1, $2::geometry, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      b.kind,
      area.geom,
      JSON.stringify(area.source),
      b.starts_at,
      b.expected_end_at,
      b.notice.kk ?? null,
      b.notice.ru ?? null,
      b.notice.en ?? null,
      userId,
    ],
  );
  const id = Number(rows[0].id);
  await setServices(db, id, services);
  await db.query(ESTIMATE, [id]);
  await recordEvent(db, id, userId, 'created', { kind: b.kind, services: b.services, area: true });
  return id;
}

/**
 * A supervisor keeps the register only in their districts: an area that reaches into any other
 * district (more than touching its border) is a 403. Other scopes of the register's keepers
 * reach the whole city; any other scope reaches nothing.
 */
async function assertInScope(db: pg.PoolClient, geom: string, scope: AppealScope): Promise<void> {
  if (scope.kind === 'all') return;
  if (scope.kind !== 'districts') throw forbidden('You may not keep the outage register.');
  const { rows } = await db.query<{ code: string }>(
    `SELECT d.code FROM districts d
      WHERE ST_Intersects(d.geom, $1::geometry) AND NOT ST_Touches(d.geom, $1::geometry) AND NOT (d.id = ANY($2::int[]))
      ORDER BY d.code`,
    [geom, scope.districtIds],
  );
  if (rows.length) {
    throw forbidden(`The area reaches outside your districts (${rows.map((r) => r.code).join(', ')}).`);
  }
}

/** The stored area of an outage (EWKB hex), for the scope check of a change; undefined when there is none. */
async function storedArea(db: pg.PoolClient, id: number): Promise<string | undefined> {
  const { rows } = await db.query<{ geom: string }>('SELECT geom FROM outages WHERE id = $1', [id]);
  return rows[0]?.geom;
}

/** One row of the outage's history. */
async function recordEvent(db: pg.PoolClient, id: number, actor: number | null, action: string, data: object): Promise<void> {
  await db.query('INSERT INTO outage_events (outage_id, actor_id, action, data) VALUES ($1, $2, $3, $4)', [
    id,
    actor,
    action,
    JSON.stringify(data),
  ]);
}

/** The outage's history, oldest first. */
export async function outageEvents(db: Db, id: number) {
  const { rows } = await db.query<{ at: Date; actor_id: number | null; action: string; data: object }>(
    'SELECT at, actor_id, action, data FROM outage_events WHERE outage_id = $1 ORDER BY at, id',
    [id],
  );
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}

/** Locks the outage at the version the client read: 404 when there is none, 409 when it changed. */
async function lockVersion(
  db: pg.PoolClient,
  id: number,
  version: number,
): Promise<{ starts_at: Date; expected_end_at: Date; ended_at: Date | null }> {
  const { rows } = await db.query<{ version: number; starts_at: Date; expected_end_at: Date; ended_at: Date | null }>(
    'SELECT version, starts_at, expected_end_at, ended_at FROM outages WHERE id = $1 FOR UPDATE',
    [id],
  );
  if (!rows[0]) throw notFound('Outage');
  if (rows[0].version !== version) {
    throw conflict(`The outage changed meanwhile (version ${rows[0].version}); reload it and try again.`, [
      { path: 'version', message: `current version is ${rows[0].version}` },
    ]);
  }
  return rows[0];
}

/** Changes an outage's fields (the area, its services, times, notice). */
export async function patchOutage(
  db: pg.PoolClient,
  id: number,
  b: OutagePatch,
  userId: number | null = null,
  scope: AppealScope = { kind: 'all' },
): Promise<void> {
  const cur = await lockVersion(db, id, b.version);
  await assertInScope(db, (await storedArea(db, id))!, scope);
  const starts = b.starts_at ? new Date(b.starts_at) : cur.starts_at;
  const ends = b.expected_end_at ? new Date(b.expected_end_at) : cur.expected_end_at;
  if (ends <= starts)
    throw badRequest('expected_end_at must be after starts_at.', [{ path: 'expected_end_at', message: 'not after starts_at' }]);
  const area = b.area || b.places ? await makeArea(db, b) : undefined;
  if (area) await assertInScope(db, area.geom, scope);
  if (b.services) await setServices(db, id, await serviceIds(db, b.services));
  await db.query(
    `UPDATE outages SET kind = coalesce($2, kind), starts_at = $3, expected_end_at = $4,
            geom = coalesce($5::geometry, geom), area_source = coalesce($6::jsonb, area_source),
            notice_kk = CASE WHEN $7 THEN $8 ELSE notice_kk END, notice_ru = CASE WHEN $7 THEN $9 ELSE notice_ru END,
            notice_en = CASE WHEN $7 THEN $10 ELSE notice_en END, version = version + 1, updated_at = now()
      WHERE id = $1`,
    [
      id,
      b.kind ?? null,
      starts,
      ends,
      area?.geom ?? null,
      area ? JSON.stringify(area.source) : null,
      Boolean(b.notice),
      b.notice?.kk ?? null,
      b.notice?.ru ?? null,
      b.notice?.en ?? null,
    ],
  );
  if (area) await db.query(ESTIMATE, [id]);
  const { version: _v, area: drawn, places, ...fields } = b;
  await recordEvent(db, id, userId, 'updated', { ...fields, ...(drawn || places ? { area: true } : {}) });
}

/** Closes an outage: the service is back at `endedAt` (not in the future, not before it started). */
export async function closeOutage(
  db: pg.PoolClient,
  id: number,
  version: number,
  endedAt: Date | undefined,
  userId: number | null = null,
  scope: AppealScope = { kind: 'all' },
): Promise<void> {
  const cur = await lockVersion(db, id, version);
  await assertInScope(db, (await storedArea(db, id))!, scope);
  if (cur.ended_at) throw conflict('The outage is closed already.', [{ path: 'ended_at', message: 'already set' }]);
  const { rows } = await db.query<{ now: Date }>('SELECT now() AS now');
  const at = endedAt ?? rows[0].now;
  if (at.getTime() > rows[0].now.getTime() + 60_000)
    throw badRequest('ended_at cannot be in the future.', [{ path: 'ended_at', message: 'in the future' }]);
  if (at < cur.starts_at) throw badRequest('ended_at must not be before starts_at.', [{ path: 'ended_at', message: 'before starts_at' }]);
  await db.query('UPDATE outages SET ended_at = $2, version = version + 1, updated_at = now() WHERE id = $1', [id, at]);
  await recordEvent(db, id, userId, 'closed', { ended_at: at.toISOString() });
}

/** An active outage that answers a call: its notice and expected end. */
export interface OutageMatch {
  id: number;
  kind: string;
  expected_end_at: Date;
  notice: { kk: string | null; ru: string | null; en: string | null };
}

/**
 * The active outage (started, not ended, now) whose area holds the point and whose services
 * include the one the category is routed to there; the one ending last when several do. Uses
 * the open outages' GiST index. `outageId`: only that outage (a dispatcher's choice, checked).
 */
export async function outageAt(
  db: Db,
  p: { lng: number; lat: number; categoryId: number; districtId: number; outageId?: number },
): Promise<OutageMatch | undefined> {
  const { rows } = await db.query<OutageMatch & { id: string }>(
    `SELECT o.id, o.kind, o.expected_end_at, json_build_object('kk', o.notice_kk, 'ru', o.notice_ru, 'en', o.notice_en) AS notice
       FROM outages o
      WHERE o.ended_at IS NULL AND o.starts_at <= now()
        AND ST_Intersects(o.geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))
        AND EXISTS (SELECT 1 FROM outage_services os WHERE os.outage_id = o.id AND os.service_id = route_service($3::int, $4::int))
        AND ($5::bigint IS NULL OR o.id = $5::bigint)
      ORDER BY o.expected_end_at DESC, o.id
      LIMIT 1`,
    [p.lng, p.lat, p.categoryId, p.districtId, p.outageId ?? null],
  );
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : undefined;
}

/**
 * The active outage that answers a call of this category at this point (the bots ask before they
 * file): the district and the category's id are found here.
 */
export async function outageForCall(db: Db, lng: number, lat: number, categoryCode: string): Promise<OutageMatch | undefined> {
  const { rows } = await db.query<{ category: number | null; district: number | null }>(
    `SELECT (SELECT id FROM categories WHERE code = $3 AND active) AS category,
            (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)) ORDER BY d.id LIMIT 1) AS district`,
    [lng, lat, categoryCode],
  );
  const { category, district } = rows[0];
  if (category === null || district === null) return undefined;
  return outageAt(db, { lng, lat, categoryId: category, districtId: district });
}

/** Links answered appeals to their outages and adds them to the call counts (in the intake's transaction). */
export async function linkCalls(db: pg.PoolClient, links: { incidentId: number; outageId: number }[], at: Date): Promise<void> {
  if (!links.length) return;
  await db.query(
    `INSERT INTO outage_calls (incident_id, outage_id, linked_at) SELECT u.i, u.o, $3 FROM unnest($1::bigint[], $2::bigint[]) u(i, o)`,
    [links.map((l) => l.incidentId), links.map((l) => l.outageId), at],
  );
  await db.query(
    `UPDATE outages o SET call_count = o.call_count + u.n
       FROM (SELECT o AS id, count(*)::int AS n FROM unnest($1::bigint[]) o GROUP BY o ORDER BY o) u
      WHERE o.id = u.id`,
    [links.map((l) => l.outageId)],
  );
}

/** Active outages past their expected end with no actual end (for the alerts). */
export async function overdueOutages(db: Db, now: Date) {
  const { rows } = await db.query<{
    id: string;
    kind: string;
    expected_end_at: Date;
    call_count: number;
    services: string[];
    district: string | null;
  }>(
    `SELECT o.id, o.kind, o.expected_end_at, o.call_count,
            ARRAY(SELECT s.code FROM outage_services os JOIN services s ON s.id = os.service_id WHERE os.outage_id = o.id ORDER BY s.code) AS services,
            (SELECT d.code FROM districts d WHERE ST_Intersects(d.geom, ST_PointOnSurface(o.geom)) ORDER BY d.id LIMIT 1) AS district
       FROM outages o
      WHERE o.ended_at IS NULL AND o.starts_at <= $1 AND o.expected_end_at < $1
      ORDER BY o.expected_end_at
      LIMIT 200`,
    [now],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * The outages and planned works in force now (started, not ended), for the control view: kind,
 * services, times, calls and the affected estimate; overdue first, then by expected end.
 */
export async function outagesInForce(db: Db) {
  const { rows } = await db.query<{
    id: number;
    kind: 'emergency' | 'planned';
    status: 'active' | 'overdue';
    services: string[];
    starts_at: Date;
    expected_end_at: Date;
    call_count: number;
    affected_addresses: number | null;
    affected_people: number | null;
  }>(
    `SELECT o.id, o.kind, CASE WHEN o.expected_end_at < now() THEN 'overdue' ELSE 'active' END AS status,
            coalesce((SELECT array_agg(s.code ORDER BY s.code) FROM outage_services os JOIN services s ON s.id = os.service_id
                       WHERE os.outage_id = o.id), '{}') AS services,
            o.starts_at, o.expected_end_at, o.call_count, o.affected_addresses, o.affected_people
       FROM outages o
      WHERE o.starts_at <= now() AND (o.ended_at IS NULL OR o.ended_at > now())
      ORDER BY (o.expected_end_at < now()) DESC, o.expected_end_at, o.id
      LIMIT 100`,
  );
  return rows;
}
