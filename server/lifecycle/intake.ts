import { createHash } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { SessionUser } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { AppError, badRequest } from '../errors.ts';
import { CHANNELS, INCIDENT_TYPES } from '../incidents/filters.ts';
import { deadline, getCityRules, normOf } from './calendar.ts';
import { findDuplicates, type DuplicateCandidate } from './duplicates.ts';

const code = z.string().regex(/^[a-z0-9_.-]{1,128}$/, 'not a valid code');

/** A GeoJSON Point, [lng, lat] in degrees (EPSG:4326). */
export const PointSchema = z.object({
  type: z.literal('Point'),
  coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
});

const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()-]{3,30}$/, 'expected a phone number, e.g. +7 701 234 5678');

/** The body of POST /api/incidents (DESIGN.md), plus `answered`/`answer` for first-call resolution. */
export const IntakeSchema = z
  .object({
    type: z.enum(INCIDENT_TYPES),
    category: code,
    channel: z.enum(CHANNELS),
    description: z.string().trim().min(1).max(4000),
    location: PointSchema,
    /** Kept exactly as given (trimmed); the place itself is the point. */
    address: z.string().trim().max(500).optional(),
    reporter: z
      .object({ name: z.string().trim().min(1).max(200).optional(), phone: phone.optional() })
      .refine((r) => r.name || r.phone, { message: 'give a name or a phone, or leave the reporter out' })
      .optional(),
    photo_url: z
      .string()
      .max(1000)
      .regex(/^https?:\/\/\S+$/, 'expected an http(s) URL')
      .optional(),
    /** An information request answered on the call: closed at once as "consulted". */
    answered: z.boolean().optional(),
    /** What the caller was told (the resolution note of a consulted request). */
    answer: z.string().trim().min(1).max(4000).optional(),
  })
  .refine((b) => !b.answered || b.type === 'information_request', {
    message: 'only an information_request can be answered on the call',
    path: ['answered'],
  });

export type IntakeInput = z.infer<typeof IntakeSchema>;

/** Idempotency-Key header: printable ASCII, up to 200 characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const names = (alias: string) => `json_build_object('kk', ${alias}.name_kk, 'ru', ${alias}.name_ru, 'en', ${alias}.name_en)`;

export interface IntakeResult {
  id: number;
  number: string;
  type: string;
  category: string;
  status: string;
  resolution: string | null;
  priority: number;
  district: { code: string; name: { kk: string; ru: string; en: string } };
  service: { code: string; name: { kk: string; ru: string; en: string } } | null;
  created_at: string;
  due_at: string;
  version: number;
  duplicates: DuplicateCandidate[];
}

/** A consulted request's note when the dispatcher wrote none. */
const CONSULTED_NOTE = 'Консультация дана на линии';

/**
 * Registers an appeal in one transaction: the idempotency key (if any) is claimed first, the
 * district comes from PostGIS (422 outside every district), the service from route_service,
 * the deadline from the category's norm in the city's calendar counted from the transaction's
 * `now()`, which is also `created_at`. Reporter and audit rows go in with it; any failure
 * leaves nothing behind. Returns the 201 body and whether it is a replay of an earlier answer.
 */
export async function createIncident(
  pool: pg.Pool,
  input: IntakeInput,
  /** Who registers it; `id: null` for an appeal a messenger bot files (no staff member). */
  user: Pick<SessionUser, 'id'> | { id: null },
  idempotencyKey?: string,
): Promise<{ body: IntakeResult; replayed: boolean }> {
  const cat = await pool.query<{ id: number; norm_hours: number | null; norm_working_days: number | null; priority: number }>(
    'SELECT id, norm_hours, norm_working_days, priority FROM categories WHERE code = $1 AND active',
    [input.category],
  );
  const category = cat.rows[0];
  if (!category)
    throw badRequest(`Unknown category: ${input.category}.`, [{ path: 'category', message: `unknown code "${input.category}"` }]);
  const rules = await getCityRules(pool);
  const [lng, lat] = input.location.coordinates;
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');

  return withTransaction(pool, async (db) => {
    if (idempotencyKey && user.id !== null) {
      // Waits for a concurrent request with the same key to finish, then finds its row.
      const claimed = await db.query(
        'INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1',
        [user.id, idempotencyKey, requestHash],
      );
      if (!claimed.rowCount) {
        const prev = await db.query<{ request_hash: string; response: IntakeResult | null }>(
          'SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
          [user.id, idempotencyKey],
        );
        const row = prev.rows[0];
        if (!row || row.request_hash !== requestHash || !row.response) {
          throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.', [
            { path: 'Idempotency-Key', message: 'use a new key for a new appeal' },
          ]);
        }
        return { body: row.response, replayed: true };
      }
    }

    const place = await db.query<{ now: Date; district_id: number | null }>(
      `SELECT now() AS now,
              (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY d.id LIMIT 1) AS district_id`,
      [lng, lat],
    );
    const { now, district_id: districtId } = place.rows[0];
    if (districtId === null) {
      throw new AppError(422, 'outside_city', `The point [${lng}, ${lat}] is outside the city: no district contains it.`, [
        { path: 'location.coordinates', message: 'not inside any district of the city' },
      ]);
    }
    const due = deadline(now, normOf(category), rules);
    const consulted = input.answered === true;

    const inserted = await db.query<{ id: number; number: string; status: string; version: number; service_id: number | null }>(
      `INSERT INTO incidents (number, type, category_id, channel, status, resolution, priority, description, address, geom,
                              district_id, service_id, photo_url, created_at, resolved_at, closed_at, due_at, updated_at, created_by)
       VALUES (incident_number($1, $2), $3, $4, $5, $6, $7, $8, $9, $10, ST_SetSRID(ST_MakePoint($11, $12), 4326),
               $13, route_service($4, $13), $14, $2, $15, $15, $16, $2, $17)
       RETURNING id, number, status, version, service_id`,
      [
        rules.numberPrefix,
        now,
        input.type,
        category.id,
        input.channel,
        consulted ? 'closed' : 'new',
        consulted ? 'consulted' : null,
        category.priority,
        input.description,
        input.address ?? null,
        lng,
        lat,
        districtId,
        input.photo_url ?? null,
        consulted ? now : null,
        due,
        user.id,
      ],
    );
    const incident = inserted.rows[0];
    await db.query(
      `INSERT INTO incident_events (incident_id, at, actor_id, action, from_status, to_status, note, data)
       VALUES ($1, $2, $3, 'created', NULL, 'new', NULL, $4)`,
      [incident.id, now, user.id, { channel: input.channel }],
    );
    if (consulted) {
      await db.query(
        `INSERT INTO incident_events (incident_id, at, actor_id, action, from_status, to_status, note, data)
         VALUES ($1, $2, $3, 'transition', 'new', 'closed', $4, $5)`,
        [incident.id, now, user.id, input.answer ?? CONSULTED_NOTE, { action: 'consult', resolution: 'consulted' }],
      );
    }
    if (input.reporter) {
      await db.query('INSERT INTO incident_reporters (incident_id, name, phone, created_at) VALUES ($1, $2, $3, $4)', [
        incident.id,
        input.reporter.name ?? null,
        input.reporter.phone ?? null,
        now,
      ]);
    }
    const labels = await db.query<{ district: IntakeResult['district']; service: IntakeResult['service'] }>(
      `SELECT json_build_object('code', d.code, 'name', ${names('d')}) AS district,
              CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('code', s.code, 'name', ${names('s')}) END AS service
         FROM districts d LEFT JOIN services s ON s.id = $2 WHERE d.id = $1`,
      [districtId, incident.service_id],
    );
    const body: IntakeResult = {
      id: incident.id,
      number: incident.number,
      type: input.type,
      category: input.category,
      status: incident.status,
      resolution: consulted ? 'consulted' : null,
      priority: category.priority,
      district: labels.rows[0].district,
      service: labels.rows[0].service,
      created_at: now.toISOString(),
      due_at: due.toISOString(),
      version: incident.version,
      // A request answered on the call is done: nothing to merge it with.
      duplicates: consulted ? [] : await findDuplicates(db, category.id, lng, lat, incident.id),
    };
    // Stored as JSON: a replay answers byte for byte what the first request answered.
    body.duplicates = JSON.parse(JSON.stringify(body.duplicates));
    if (idempotencyKey) {
      await db.query('UPDATE idempotency_keys SET incident_id = $3, status = 201, response = $4 WHERE user_id = $1 AND key = $2', [
        user.id,
        idempotencyKey,
        incident.id,
        body,
      ]);
    }
    return { body, replayed: false };
  });
}
