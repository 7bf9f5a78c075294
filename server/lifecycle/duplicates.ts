import type pg from 'pg';
import { statementName } from '../db/statements.ts';
import { type AppealScope, scopeCondition } from '../auth/scope.ts';
import { Where } from '../incidents/filters.ts';
import { activeSql } from '../domain/statuses.ts';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Db = Pick<pg.PoolClient, 'query'>;

/** At most this many candidates are shown to the dispatcher. */
export const MAX_DUPLICATES = 20;

export interface DuplicateCandidate {
  id: number;
  number: string;
  category: string;
  same_category: boolean;
  /** Nearest to the same address point of the gazetteer as the new appeal (both within 30 m). */
  same_building: boolean;
  status: string;
  description: string;
  address: string | null;
  reporter_count: number;
  created_at: string;
  /** Metres on the spheroid from the given point. */
  distance_m: number;
  lng: number;
  lat: number;
}

/** One point to find duplicates for: an appeal's category and place, and the appeal itself. */
export interface DuplicateQuery {
  categoryId: number;
  lng: number;
  lat: number;
  /** The appeal being registered, left out of its own candidates. */
  exclude?: number;
}

/**
 * Appeals near a point that may be the same problem — at the same building (the same nearest
 * address of the gazetteer) first, then nearest first — within the category's
 * duplicate radius (metres, geography). Only appeals still being worked on (an appeal resolved
 * and waiting for the citizen is not offered to attach to). Of the same kind: whatever their
 * age — a heating failure reported a week ago is still the one to attach to. Of a related kind
 * (the category's parent or children, or its siblings under a category other than a sphere —
 * a billing question is no duplicate of a cold radiator): created within the category's
 * duplicate window (hours). Candidates come from the backlog's narrow copy
 * (open_incident_points): a box in Web Mercator around the point (metres stretched by
 * 1 / cos(latitude)) picks them from its GiST index; ST_DWithin on geography then keeps the
 * exact ones. `exclude` leaves out the appeal being registered.
 */
export async function findDuplicates(
  db: Db,
  categoryId: number,
  lng: number,
  lat: number,
  exclude?: number,
  scope: AppealScope = { kind: 'all' },
): Promise<DuplicateCandidate[]> {
  return (await findDuplicatesMany(db, [{ categoryId, lng, lat, exclude }], scope))[0];
}

/** Metres within which a point counts as at an address of the gazetteer (its building). */
const BUILDING_M = 30;

/**
 * The gazetteer's address nearest to `point` when it lies within BUILDING_M: the nearest one by
 * the KNN index first, then the distance test (a filter inside the KNN scan would walk every
 * address when none is near).
 */
const nearestAddress = (point: string) =>
  `SELECT n.id FROM (SELECT id, geom FROM places WHERE kind = 'address' ORDER BY geom <-> ${point} LIMIT 1) n
    WHERE ST_DWithin(n.geom::geography, ${point}::geography, ${BUILDING_M})`;

/**
 * findDuplicates for many points in one statement, in their order. Appeals registered together
 * (the `exclude` ids) see only those registered before them, as they would one at a time.
 */
export async function findDuplicatesMany(
  db: Db,
  queries: DuplicateQuery[],
  scope: AppealScope = { kind: 'all' },
): Promise<DuplicateCandidate[][]> {
  const w = new Where([
    queries.map((q) => q.categoryId),
    queries.map((q) => q.lng),
    queries.map((q) => q.lat),
    queries.map((q) => q.exclude ?? null),
  ]);
  // Only the candidates the caller's scope reaches (a supervisor: their districts).
  const inScope = scopeCondition(scope, w, 'o')
    .conditions.map((c) => `AND ${c}`)
    .join(' ');
  const { rows } = await db.query<DuplicateCandidate & { ord: string }>({
    // One text when no scope narrows it (intake): a named statement, planned once per connection.
    name: inScope ? undefined : statementName(db, 'jardem_duplicates_all'),
    text: `WITH q AS (
       SELECT q.ord, q.lat, coalesce(q.exclude, 0) AS exclude, k.id AS cat, k.sphere_id,
              k.parent_id AS parent, coalesce(pk.depth, 0) AS parent_depth,
              k.duplicate_radius_m AS r, k.duplicate_window_h AS h, p.g, ST_Transform(p.g, 3857) AS m
         FROM unnest($1::int[], $2::float8[], $3::float8[], $4::bigint[]) WITH ORDINALITY q(cat, lng, lat, exclude, ord)
         JOIN categories k ON k.id = q.cat
         LEFT JOIN categories pk ON pk.id = k.parent_id
        CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(q.lng, q.lat), 4326) AS g) p
     ),
     qb AS (SELECT q.*, b.id AS building FROM q LEFT JOIN LATERAL (${nearestAddress('q.g')}) b ON true)
     SELECT q.ord, i.id, i.number, c.code AS category, d.same_category,
            coalesce(q.building = ib.id, false) AS same_building, i.status, i.description, i.address,
            i.reporter_count, i.created_at, d.distance_m, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat
       FROM qb q CROSS JOIN LATERAL (
         SELECT o.id, (o.category_id = q.cat) AS same_category,
                round(ST_Distance(o.geom::geography, q.g::geography)::numeric, 1)::float8 AS distance_m
           FROM open_incident_points o
           JOIN categories oc ON oc.id = o.category_id
          WHERE o.g && ST_Expand(q.m, q.r * 1.01 / cos(radians(q.lat)))
            AND ST_DWithin(o.geom::geography, q.g::geography, q.r)
            AND ${activeSql('o')}
            AND o.sphere_id = q.sphere_id
            AND (o.category_id = q.cat
                 OR (o.created_at >= now() - make_interval(hours => q.h)
                     AND (oc.parent_id = q.cat OR oc.id = q.parent OR (q.parent_depth > 0 AND oc.parent_id = q.parent))))
            AND o.id <> q.exclude
            AND NOT (o.id > q.exclude AND o.id = ANY(array_remove($4::bigint[], NULL)))
            ${inScope}
          ORDER BY distance_m, o.id
          LIMIT ${MAX_DUPLICATES}) d
       JOIN incidents i ON i.id = d.id
       JOIN categories c ON c.id = i.category_id
       LEFT JOIN LATERAL (${nearestAddress('i.geom')}) ib ON q.building IS NOT NULL
      ORDER BY q.ord, same_building DESC, d.distance_m, d.id`,
    values: w.values,
  });
  const out: DuplicateCandidate[][] = queries.map(() => []);
  for (const { ord, ...candidate } of rows) out[Number(ord) - 1].push(candidate);
  return out;
}
