import { Hono } from 'hono';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import type { SessionUser } from '../domain/roles.ts';
import { notFound } from '../errors.ts';
import { redact } from '../privacy/redact.ts';
import { outageListSchema, outageSchema } from '../contract/outages.ts';
import { describeRoute } from '../openapi/registry.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import { closeOutage, createOutage, getOutage, listOutages, outageEvents, patchOutage, type OutageRow } from './queries.ts';
import { OutageCloseSchema, OutageCreateSchema, OutageIdParam, OutageListSchema, OutagePatchSchema } from './schema.ts';

/** The roles that keep the register (access matrix: outage.write); they read it unredacted. */
const KEEPERS: readonly string[] = ['admin', 'dispatcher', 'supervisor'];
const keeps = (user: SessionUser | null) => Boolean(user && KEEPERS.includes(user.role));

/**
 * An outage as a GeoJSON Feature. Anyone may read the register (the public map shows it): for
 * them the notice goes through the redaction step and who registered it is left out.
 */
export function toOutageFeature(r: OutageRow, full: boolean) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const notice = full ? r.notice : { kk: redact(r.notice.kk), ru: redact(r.notice.ru), en: redact(r.notice.en) };
  return {
    type: 'Feature' as const,
    id: Number(r.id),
    geometry: r.geometry,
    properties: {
      id: Number(r.id),
      kind: r.kind,
      status: r.status,
      services: r.services,
      starts_at: iso(r.starts_at),
      expected_end_at: iso(r.expected_end_at),
      ended_at: iso(r.ended_at),
      notice,
      call_count: r.call_count,
      affected: {
        addresses: r.affected_addresses,
        people: r.affected_people,
        // How the number of people was reached: always the districts' population × covered share.
        method: r.affected_addresses === null ? 'population_share' : 'addresses',
      },
      area_source: r.area_source,
      created_at: iso(r.created_at),
      updated_at: iso(r.updated_at),
      version: r.version,
      ...(full ? { created_by: r.created_by } : {}),
    },
  };
}

const GEOJSON = { 'Content-Type': 'application/geo+json; charset=UTF-8' };

/** The register of outages and planned works (issue 18): public reads, staff writes. */
export function outageRoutes({ pool }: Deps) {
  /** One outage; for the register's keepers with its history (who changed what, when). */
  async function one(id: number, full: boolean) {
    const row = await getOutage(pool, id, new Date());
    if (!row) throw notFound('Outage');
    return { ...toOutageFeature(row, full), ...(full ? { events: await outageEvents(pool, id) } : {}) };
  }

  return new Hono<AppEnv>()
    .get('/', validQuery(OutageListSchema), async (c) => {
      const q = c.req.valid('query');
      const rows = await listOutages(pool, await getCatalog(pool), q, new Date());
      const full = keeps(c.get('user'));
      return c.json(
        { type: 'FeatureCollection', numberReturned: rows.length, features: rows.map((r) => toOutageFeature(r, full)) },
        200,
        GEOJSON,
      );
    })
    .post('/', validJson(OutageCreateSchema), async (c) => {
      const user = c.get('user')!;
      const id = await withTransaction(pool, (db) => createOutage(db, c.req.valid('json'), user.id, c.get('scope').appeals));
      c.header('Location', `/api/outages/${id}`);
      return c.json(await one(id, true), 201, GEOJSON);
    })
    .get('/:id', validParam(OutageIdParam), async (c) => c.json(await one(c.req.valid('param').id, keeps(c.get('user'))), 200, GEOJSON))
    .patch('/:id', validParam(OutageIdParam), validJson(OutagePatchSchema), async (c) => {
      const { id } = c.req.valid('param');
      await withTransaction(pool, (db) => patchOutage(db, id, c.req.valid('json'), c.get('user')!.id, c.get('scope').appeals));
      return c.json(await one(id, true), 200, GEOJSON);
    })
    .post('/:id/close', validParam(OutageIdParam), validJson(OutageCloseSchema), async (c) => {
      const { id } = c.req.valid('param');
      const b = c.req.valid('json');
      await withTransaction(pool, (db) =>
        closeOutage(db, id, b.version, b.ended_at ? new Date(b.ended_at) : undefined, c.get('user')!.id, c.get('scope').appeals),
      );
      return c.json(await one(id, true), 200, GEOJSON);
    });
}

// The routes' words for /api/openapi.json (parameters and bodies come from the schemas above).
const outageFeature = {
  description: 'An outage (GeoJSON Feature); for the register’s keepers with `created_by` and its history (`events`)',
  contentType: 'application/geo+json',
  schema: outageSchema,
};
describeRoute('GET', '/api/outages', {
  summary: 'Outages and planned works',
  tag: 'outages',
  description:
    'GeoJSON FeatureCollection of outage areas (MultiPolygon) with `kind` (emergency, planned), `status` (planned, active, overdue, ended), `services`, `starts_at`, `expected_end_at`, `ended_at`, `notice` {kk,ru,en}, `call_count` and `affected` {addresses, people, method}. ' +
    'Filters: `active`, `kind`, `service`, `bbox`, `at=lng,lat` (areas holding the point; with `category`, only outages of the service that category is routed to there) and `time` (the instant `active` is judged at). Public: notices redacted, no author.',
  responses: { '200': { description: 'Outages', contentType: 'application/geo+json', schema: outageListSchema } },
});
describeRoute('GET', '/api/outages/:id', {
  summary: 'One outage',
  tag: 'outages',
  responses: { '200': outageFeature, '404': 'No such outage' },
});
describeRoute('POST', '/api/outages', {
  summary: 'Register an outage or planned works',
  tag: 'outages',
  description:
    'Body: `kind`, `services` (codes), the area as `area` (a GeoJSON Polygon or MultiPolygon, valid: no self-intersections) or `places` {ids, buffer_m} (gazetteer places buffered and joined), `starts_at`, `expected_end_at` (after the start), `notice` {kk?, ru?, en?}. The affected addresses and people are estimated.',
  responses: { '201': outageFeature, '422': 'The area is outside the city' },
});
describeRoute('PATCH', '/api/outages/:id', {
  summary: 'Change an outage',
  tag: 'outages',
  description: 'Any of the fields of POST, with the `version` read; 409 when it changed meanwhile.',
  responses: { '200': outageFeature, '404': 'No such outage', '409': 'Stale version' },
});
describeRoute('POST', '/api/outages/:id/close', {
  summary: 'Close an outage: the service is back',
  tag: 'outages',
  description: '`{version, ended_at?}` (now when left out; never in the future).',
  responses: { '200': outageFeature, '404': 'No such outage', '409': 'Stale version or closed already' },
});
