import { createHash } from 'node:crypto';
import type pg from 'pg';
import { defaultVisibility } from '../privacy/visibility.ts';
import { z } from 'zod';
import type { SessionUser } from '../domain/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { allowNamedStatements, namedStatementsOn, statementName } from '../db/statements.ts';
import { AppError, badRequest } from '../errors.ts';
import { CHANNELS, INCIDENT_TYPES } from '../incidents/filters.ts';
import { deadline, getCityRules, normOf } from './calendar.ts';
import { systemNote } from './system-notes.ts';
import { findDuplicatesMany } from './duplicates.ts';
import { namesSql } from '../db/sql.ts';
import { linkCalls, outageAt } from '../outages/queries.ts';
import type { IntakeAnswer } from '../contract/incidents.ts';

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
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        phone: phone.optional(),
        /** The language the caller's SMS are written in (Russian when not given). */
        lang: z.enum(['kk', 'ru']).optional(),
      })
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
    /**
     * A known outage the call is about (server/outages): the caller is told its notice and
     * expected end, and the appeal is closed at once as consulted and linked to it (any type).
     * The point must lie in the outage's area and the category's service be one of its services.
     */
    outage: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    /**
     * Kept for triage: the appeal stays `new` until a dispatcher assigns it. By default the
     * routed service (or `service`) receives it at once (`assigned`).
     */
    triage: z.boolean().optional(),
    /** A service code: the dispatcher sends the appeal to this service instead of the routed one. */
    service: code.optional(),
  })
  .refine((b) => !b.answered || b.type === 'information_request', {
    message: 'only an information_request can be answered on the call',
    path: ['answered'],
  })
  .refine((b) => !(b.triage && b.service), { message: 'keep it for triage or pick a service, not both', path: ['service'] })
  .refine((b) => !(b.answered && (b.triage || b.service)), {
    message: 'a request answered on the call is closed: no service and no triage',
    path: ['answered'],
  });

export type IntakeInput = z.infer<typeof IntakeSchema>;

/** Idempotency-Key header: printable ASCII, up to 200 characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The answer of POST /api/incidents: its one definition is the contract's schema (server/contract/incidents.ts). */
export type IntakeResult = IntakeAnswer;

/** One appeal waiting to be registered. */
interface IntakeJob {
  input: IntakeInput;
  user: Pick<SessionUser, 'id'> | { id: null };
  idempotencyKey?: string;
  requestHash: string;
  contact?: string;
  resolve: (r: { body: IntakeResult; replayed: boolean }) => void;
  reject: (e: unknown) => void;
}

/** At most this many appeals are registered in one transaction. */
export const MAX_INTAKE_BATCH = 200;
/** How long a group waits for company when the last group was a crowd, milliseconds. */
const GATHER_MS = 2;
/**
 * Groups whose transactions run at once: while one waits on the disk for its commit, the next
 * resolves districts and claims keys (they meet only at the rollup rows, in key order).
 */
const IN_FLIGHT = 2;

/**
 * Registers appeals in groups (group commit): while one group's transaction runs, appeals that
 * arrive wait and form the next group, so under load many share one transaction, one pass of
 * the rollup trigger and one WAL flush, while a lone appeal goes at once. Per pool.
 */
class IntakeQueue {
  private waiting: IntakeJob[] = [];
  /** Groups whose transaction runs now. */
  private running = 0;
  /** The size of the last group, and until when the next one waits for company (0: not waiting). */
  private lastSize = 0;
  private gatherUntil = 0;
  private gatherTimer: ReturnType<typeof setTimeout> | undefined;
  constructor(private readonly pool: pg.Pool) {}

  submit(job: Omit<IntakeJob, 'resolve' | 'reject'>): Promise<{ body: IntakeResult; replayed: boolean }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...job, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running >= IN_FLIGHT || !this.waiting.length) return;
    // Under load the callers answered with the last group send their next appeals a moment
    // later: a short wait lets them join this group instead of trailing it one by one. A lone
    // appeal (the last group was one) goes at once.
    // A timer may fire a little before the clock says its time is up (timers count from the
    // event loop's cached time): it then waits again for the rest, or the queue would stall
    // until the next appeal arrives.
    if (this.lastSize > 1 && this.waiting.length < this.lastSize) {
      const now = performance.now();
      if (this.gatherUntil === 0) this.gatherUntil = now + GATHER_MS;
      if (now < this.gatherUntil) {
        this.gatherTimer ??= setTimeout(
          () => {
            this.gatherTimer = undefined;
            this.next();
          },
          Math.ceil(this.gatherUntil - now),
        );
        return;
      }
    }
    this.gatherUntil = 0;
    // A key used twice in one group would see its own unfinished claim: the later one waits.
    const batch: IntakeJob[] = [];
    const later: IntakeJob[] = [];
    const keys = new Set<string>();
    for (const job of this.waiting) {
      const k = job.idempotencyKey === undefined ? null : `${job.user.id}\u0000${job.idempotencyKey}`;
      if (batch.length >= MAX_INTAKE_BATCH || (k !== null && keys.has(k))) later.push(job);
      else {
        if (k !== null) keys.add(k);
        batch.push(job);
      }
    }
    this.waiting = later;
    this.lastSize = batch.length;
    this.running++;
    void this.run(batch).finally(() => {
      this.running--;
      this.next();
    });
  }

  private async run(batch: IntakeJob[]): Promise<void> {
    try {
      const outcomes = await registerBatch(this.pool, batch);
      outcomes.forEach((o, i) => (o instanceof Error ? batch[i].reject(o) : batch[i].resolve(o)));
    } catch (err) {
      // The whole group rolled back: each appeal again on its own, so that one appeal's
      // failure is its own and the others still go in.
      if (batch.length === 1) batch[0].reject(err);
      else for (const job of batch) await this.run([job]);
    }
  }
}

const queues = new WeakMap<pg.Pool, IntakeQueue>();

/**
 * Registers an appeal: the idempotency key (if any) is claimed first, the district comes from
 * PostGIS (422 outside every district), the service from route_service, the deadline from the
 * category's norm in the city's calendar counted from the transaction's `now()`, which is also
 * `created_at`. Reporter and audit rows go in with it in one transaction; any failure leaves
 * nothing behind. Returns the 201 body and whether it is a replay of an earlier answer.
 * Concurrent calls share transactions (IntakeQueue).
 */
export function createIncident(
  pool: pg.Pool,
  input: IntakeInput,
  /** Who registers it; `id: null` for an appeal a messenger bot files (no staff member). */
  user: Pick<SessionUser, 'id'> | { id: null },
  idempotencyKey?: string,
  /** The reporter's e-mail (Open311), personal data written with the appeal in its transaction. */
  contact?: string,
): Promise<{ body: IntakeResult; replayed: boolean }> {
  let queue = queues.get(pool);
  if (!queue) queues.set(pool, (queue = new IntakeQueue(pool)));
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  return queue.submit({ input, user, idempotencyKey, requestHash, contact });
}

interface CategoryRow {
  code: string;
  id: number;
  norm_hours: number | null;
  norm_working_days: number | null;
  priority: number;
}

type Outcome = { body: IntakeResult; replayed: boolean } | Error;

/**
 * An intake statement as a named statement: each connection parses and plans it once, not on
 * every appeal (the texts are constants; the appeals are in the parameters). Planning the
 * insert and the audit rows cost about as much as running them for one appeal.
 */
function prepared<R extends pg.QueryResultRow = any>(db: pg.PoolClient, name: string, text: string, values: unknown[]) {
  return db.query<R>({ name: statementName(db, `jardem_intake_${name}`), text, values });
}

/**
 * A group's appeals and what each has come to: an answer, a refusal of its own, or nothing yet
 * (still going in). The steps below refuse appeals one by one and work on the rest, `live()`.
 */
class Group {
  readonly outcomes: (Outcome | undefined)[];
  constructor(readonly jobs: IntakeJob[]) {
    this.outcomes = jobs.map(() => undefined);
  }
  /** The appeals nothing has refused yet, with their place in the group. */
  live(): { j: IntakeJob; i: number }[] {
    return this.jobs.map((j, i) => ({ j, i })).filter(({ i }) => this.outcomes[i] === undefined);
  }
  done(): Outcome[] {
    return this.outcomes as Outcome[];
  }
}

/** An appeal about to be inserted, with everything worked out for it. */
interface Row {
  j: IntakeJob;
  i: number;
  id: number;
  category: CategoryRow;
  consulted: boolean;
  /** Assigned at intake: to `service` (the dispatcher's pick) or, when null, the routed service. */
  assign: boolean;
  service: number | null;
  due: Date;
  district: number;
  /** The outage the call is answered from, if any. */
  outage: number | null;
}

interface Inserted {
  id: string;
  number: string;
  status: string;
  version: number;
  service_id: number | null;
}

type Label = { code: string; name: IntakeResult['district']['name'] };

/**
 * One transaction for a group of appeals, set-based: a statement per step for the whole group.
 * An appeal refused on its own merits (unknown category, outside the city, a reused key) gets
 * its error and the rest go on; an unexpected error rolls back the group (the caller retries).
 */
async function registerBatch(pool: pg.Pool, jobs: IntakeJob[]): Promise<Outcome[]> {
  const group = new Group(jobs);
  const categoryOf = await refuseUnknownCategories(pool, group);
  const serviceOf = await refuseUnknownServices(pool, group);
  const rules = await getCityRules(pool);

  return withTransaction(pool, async (db) => {
    if (namedStatementsOn(pool)) allowNamedStatements(db);
    if (!group.live().length) return group.done();
    const { now, districtOf } = await placeInDistricts(db, group);
    // Before the keys are claimed: a refused appeal leaves its key free for the corrected request.
    await refuseOutagesThatDoNotApply(db, group, categoryOf, districtOf);
    await claimIdempotencyKeys(db, group);
    const todo = group.live();
    if (!todo.length) return group.done();

    const ids = await takeIds(db, todo.length);
    const rows: Row[] = todo.map(({ j, i }, k) => {
      const category = categoryOf.get(j.input.category)!;
      return {
        j,
        i,
        id: ids[k],
        category,
        consulted: j.input.answered === true || j.input.outage !== undefined,
        assign: j.input.answered !== true && j.input.outage === undefined && j.input.triage !== true,
        service: j.input.service === undefined ? null : serviceOf.get(j.input.service)!,
        due: deadline(now, normOf(category), rules),
        district: districtOf.get(i)!,
        outage: j.input.outage ?? null,
      };
    });
    const inserted = await insertIncidents(db, rows, now, rules.numberPrefix);
    await insertEvents(db, rows, inserted, now);
    await insertReporters(db, rows, now);
    await linkCalls(
      db,
      rows.filter((r) => r.outage !== null).map((r) => ({ incidentId: r.id, outageId: r.outage! })),
      now,
    );
    const labels = await labelsOf(db, rows, inserted);
    const duplicatesOf = await earlierDuplicates(db, rows);
    for (const r of rows)
      group.outcomes[r.i] = { body: answerOf(r, inserted.get(r.id)!, labels, duplicatesOf.get(r.id), now), replayed: false };
    await storeAnswers(db, rows, group);
    return group.done();
  });
}

/** Refuses appeals of an unknown or inactive category; the categories of the others by code. */
async function refuseUnknownCategories(pool: pg.Pool, group: Group): Promise<Map<string, CategoryRow>> {
  const cats = await pool.query<CategoryRow>(
    'SELECT code, id, norm_hours, norm_working_days, priority FROM categories WHERE code = ANY($1::text[]) AND active',
    [[...new Set(group.jobs.map((j) => j.input.category))]],
  );
  const categoryOf = new Map(cats.rows.map((c) => [c.code, c]));
  group.jobs.forEach((j, i) => {
    if (!categoryOf.has(j.input.category))
      group.outcomes[i] = badRequest(`Unknown category: ${j.input.category}.`, [
        { path: 'category', message: `unknown code "${j.input.category}"` },
      ]);
  });
  return categoryOf;
}

/** Refuses appeals sent to an unknown or inactive service; the others' picked services by code. */
async function refuseUnknownServices(pool: pg.Pool, group: Group): Promise<Map<string, number>> {
  const codes = [...new Set(group.jobs.flatMap((j) => (j.input.service === undefined ? [] : [j.input.service])))];
  if (!codes.length) return new Map();
  const found = await pool.query<{ code: string; id: number }>('SELECT code, id FROM services WHERE code = ANY($1::text[]) AND active', [
    codes,
  ]);
  const serviceOf = new Map(found.rows.map((s) => [s.code, s.id]));
  group.jobs.forEach((j, i) => {
    const code = j.input.service;
    if (code !== undefined && !serviceOf.has(code) && group.outcomes[i] === undefined)
      group.outcomes[i] = badRequest(`Unknown service: ${code}.`, [{ path: 'service', message: `unknown code "${code}"` }]);
  });
  return serviceOf;
}

/** The transaction's time and each appeal's district; appeals outside every district are refused (422). */
async function placeInDistricts(db: pg.PoolClient, group: Group): Promise<{ now: Date; districtOf: Map<number, number> }> {
  const live = group.live();
  const place = await prepared<{ now: Date; districts: (number | null)[] }>(
    db,
    'place',
    // The rest of the transaction runs its named statements on their generic plans: their texts
    // are constants, the appeals arrive as arrays, and a custom plan per appeal cost more than
    // running it (the duplicate check: 2.8 ms of planning for 0.5 ms of work at 10M).
    `SELECT now() AS now, set_config('plan_cache_mode', 'force_generic_plan', true) AS plans,
            ARRAY(SELECT (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ST_SetSRID(ST_MakePoint(p.lng, p.lat), 4326))
                           ORDER BY d.id LIMIT 1)
                    FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY p(lng, lat, ord) ORDER BY p.ord) AS districts`,
    [live.map(({ j }) => j.input.location.coordinates[0]), live.map(({ j }) => j.input.location.coordinates[1])],
  );
  const districtOf = new Map<number, number>();
  live.forEach(({ j, i }, k) => {
    const d = place.rows[0].districts[k];
    if (d !== null) return void districtOf.set(i, d);
    const [lng, lat] = j.input.location.coordinates;
    group.outcomes[i] = new AppError(422, 'outside_city', `The point [${lng}, ${lat}] is outside the city: no district contains it.`, [
      { path: 'location.coordinates', message: 'not inside any district of the city' },
    ]);
  });
  return { now: place.rows[0].now, districtOf };
}

/**
 * A call answered from an outage: the outage must be active now, hold the call's point and
 * concern the service its category is routed to there; otherwise the appeal is refused (422)
 * and the dispatcher opens work as usual.
 */
async function refuseOutagesThatDoNotApply(
  db: pg.PoolClient,
  group: Group,
  categoryOf: Map<string, CategoryRow>,
  districtOf: Map<number, number>,
): Promise<void> {
  for (const { j, i } of group.live()) {
    if (j.input.outage === undefined) continue;
    const [lng, lat] = j.input.location.coordinates;
    const match = await outageAt(db, {
      lng,
      lat,
      categoryId: categoryOf.get(j.input.category)!.id,
      districtId: districtOf.get(i)!,
      outageId: j.input.outage,
    });
    if (!match) {
      group.outcomes[i] = new AppError(
        422,
        'outage_not_applicable',
        `Outage ${j.input.outage} does not cover this call: it is not active, its area does not hold the point, or it concerns other services.`,
        [{ path: 'outage', message: "no active outage of this category's service holds the point" }],
      );
    }
  }
}

/**
 * Idempotency keys: claimed for the group at once; a key already there is a replay (same
 * request) or a refusal (another request). A concurrent claim of the same key waits here.
 * In one order for every group, so that two groups in flight never wait on each other's keys.
 */
async function claimIdempotencyKeys(db: pg.PoolClient, group: Group): Promise<void> {
  const keyed = group
    .live()
    .filter(({ j }) => j.idempotencyKey !== undefined && j.user.id !== null)
    .sort((a, b) => a.j.user.id! - b.j.user.id! || (a.j.idempotencyKey! < b.j.idempotencyKey! ? -1 : 1));
  if (!keyed.length) return;
  const claimed = await prepared<{ user_id: number; key: string }>(
    db,
    'claim',
    `INSERT INTO idempotency_keys (user_id, key, request_hash)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING RETURNING user_id, key`,
    [keyed.map(({ j }) => j.user.id), keyed.map(({ j }) => j.idempotencyKey), keyed.map(({ j }) => j.requestHash)],
  );
  const mine = new Set(claimed.rows.map((r) => `${r.user_id}\u0000${r.key}`));
  const taken = keyed.filter(({ j }) => !mine.has(`${j.user.id}\u0000${j.idempotencyKey}`));
  if (!taken.length) return;
  const prev = await prepared<{ user_id: number; key: string; request_hash: string; response: IntakeResult | null }>(
    db,
    'replay',
    `SELECT k.user_id, k.key, k.request_hash, k.response
       FROM idempotency_keys k JOIN unnest($1::int[], $2::text[]) u(user_id, key) USING (user_id, key)`,
    [taken.map(({ j }) => j.user.id), taken.map(({ j }) => j.idempotencyKey)],
  );
  const byKey = new Map(prev.rows.map((r) => [`${r.user_id}\u0000${r.key}`, r]));
  for (const { j, i } of taken) {
    const row = byKey.get(`${j.user.id}\u0000${j.idempotencyKey}`);
    group.outcomes[i] =
      row && row.request_hash === j.requestHash && row.response
        ? { body: row.response, replayed: true }
        : new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.', [
            { path: 'Idempotency-Key', message: 'use a new key for a new appeal' },
          ]);
  }
}

/** `n` ids from the sequence, in order: numbers follow ids, so the group is numbered in arrival order. */
async function takeIds(db: pg.PoolClient, n: number): Promise<number[]> {
  const { rows } = await prepared<{ id: string }>(db, 'ids', `SELECT nextval('incidents_id_seq') AS id FROM generate_series(1, $1::int)`, [
    n,
  ]);
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** The appeals themselves (the service routed by route_service); what the answers need, by id. */
async function insertIncidents(db: pg.PoolClient, rows: Row[], now: Date, numberPrefix: string): Promise<Map<number, Inserted>> {
  const col = <T>(f: (r: Row) => T) => rows.map(f);
  const inserted = await prepared<Inserted>(
    db,
    'insert',
    `INSERT INTO incidents (id, number, type, category_id, channel, status, resolution, priority, description, address, geom,
                            district_id, service_id, photo_url, created_at, assigned_at, resolved_at, closed_at, due_at, updated_at,
                            created_by)
     SELECT u.id, incident_number($1, $2), u.type, u.category_id, u.channel,
            -- Assigned at intake when a service receives it (the pick, else the routed one); new for triage.
            CASE WHEN u.status = 'closed' THEN 'closed' WHEN u.assign AND u.service_id IS NOT NULL THEN 'assigned' ELSE 'new' END,
            u.resolution, u.priority, u.description, u.address, ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326), u.district_id,
            u.service_id, u.photo_url, $2, CASE WHEN u.assign AND u.service_id IS NOT NULL THEN $2::timestamptz END,
            u.closed_at, u.closed_at, u.due_at, $2, u.created_by
       FROM (SELECT v.*, coalesce(v.picked, route_service(v.category_id, v.district_id)) AS service_id
               FROM unnest($3::bigint[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::smallint[], $10::text[],
                           $11::text[], $12::float8[], $13::float8[], $14::int[], $15::text[], $16::timestamptz[], $17::timestamptz[],
                           $18::int[], $19::bool[], $20::int[])
                    v(id, type, category_id, channel, status, resolution, priority, description, address, lng, lat, district_id,
                      photo_url, closed_at, due_at, created_by, assign, picked)) u
      ORDER BY u.id
     RETURNING id, number, status, version, service_id`,
    [
      numberPrefix,
      now,
      col((r) => r.id),
      col((r) => r.j.input.type),
      col((r) => r.category.id),
      col((r) => r.j.input.channel),
      col((r) => (r.consulted ? 'closed' : 'new')),
      col((r) => (r.consulted ? 'consulted' : null)),
      col((r) => r.category.priority),
      col((r) => r.j.input.description),
      col((r) => r.j.input.address ?? null),
      col((r) => r.j.input.location.coordinates[0]),
      col((r) => r.j.input.location.coordinates[1]),
      col((r) => r.district),
      col((r) => r.j.input.photo_url ?? null),
      col((r) => (r.consulted ? now : null)),
      col((r) => r.due),
      col((r) => r.j.user.id),
      col((r) => r.assign),
      col((r) => r.service),
    ],
  );
  return new Map(inserted.rows.map((r) => [Number(r.id), r]));
}

/**
 * The audit trail: "created" for each, the assignment of those a service received at intake,
 * and the closing of a request answered on the call.
 */
async function insertEvents(db: pg.PoolClient, rows: Row[], inserted: Map<number, Inserted>, now: Date): Promise<void> {
  const consultedNote = rows.some((r) => r.consulted) ? await systemNote(db, 'consulted') : null;
  const events = rows.flatMap((r) => [
    { id: r.id, from: null, to: 'new', action: 'created', note: null, data: { channel: r.j.input.channel }, actor: r.j.user.id },
    ...(inserted.get(r.id)!.status === 'assigned'
      ? [
          {
            id: r.id,
            from: 'new',
            to: 'assigned',
            action: 'transition',
            note: null,
            data: { action: 'assign', at_intake: true, to_service: inserted.get(r.id)!.service_id, picked: r.service !== null },
            actor: r.j.user.id,
          },
        ]
      : []),
    ...(r.consulted
      ? [
          {
            id: r.id,
            from: 'new',
            to: 'closed',
            action: 'transition',
            note: r.j.input.answer ?? consultedNote,
            data: { action: 'consult', resolution: 'consulted', ...(r.outage !== null ? { outage: r.outage } : {}) },
            actor: r.j.user.id,
          },
        ]
      : []),
  ]);
  await prepared(
    db,
    'events',
    `INSERT INTO incident_events (incident_id, at, actor_id, action, from_status, to_status, note, data, visibility)
     SELECT u.id, $1, u.actor, u.action, u.from_status, u.to_status, u.note, u.data, u.visibility
       FROM unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::text[]) WITH ORDINALITY
            u(id, actor, action, from_status, to_status, note, data, visibility, ord)
      ORDER BY u.ord`,
    [
      now,
      events.map((e) => e.id),
      events.map((e) => e.actor),
      events.map((e) => e.action),
      events.map((e) => e.from),
      events.map((e) => e.to),
      events.map((e) => e.note),
      events.map((e) => JSON.stringify(e.data)),
      // The answer given on the call is the citizen's; "created" has no note.
      events.map((e) => (e.action === 'transition' ? defaultVisibility(e.data.action === 'assign' ? 'assign' : 'consult') : 'internal')),
    ],
  );
}

/** The callers' names, phones and e-mails, for the appeals that have them. */
async function insertReporters(db: pg.PoolClient, rows: Row[], now: Date): Promise<void> {
  const reported = rows.filter((r) => r.j.input.reporter || r.j.contact);
  if (!reported.length) return;
  await prepared(
    db,
    'reporters',
    `INSERT INTO incident_reporters (incident_id, name, phone, contact, lang, created_at)
     SELECT u.id, u.name, u.phone, u.contact, u.lang, $1
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) u(id, name, phone, contact, lang)`,
    [
      now,
      reported.map((r) => r.id),
      reported.map((r) => r.j.input.reporter?.name ?? null),
      reported.map((r) => r.j.input.reporter?.phone ?? null),
      reported.map((r) => r.j.contact ?? null),
      reported.map((r) => r.j.input.reporter?.lang ?? null),
    ],
  );
}

/** `{code, name}` of the districts (`d<id>`) and services (`s<id>`) the answers name. */
async function labelsOf(db: pg.PoolClient, rows: Row[], inserted: Map<number, Inserted>): Promise<Map<string, Label>> {
  const services = [...new Set([...inserted.values()].map((r) => r.service_id).filter((s) => s !== null))];
  const labels = await prepared<{ kind: 'd' | 's'; id: number; label: Label }>(
    db,
    'labels',
    `SELECT 'd' AS kind, d.id, json_build_object('code', d.code, 'name', ${namesSql('d')}) AS label FROM districts d WHERE d.id = ANY($1::int[])
     UNION ALL
     SELECT 's', s.id, json_build_object('code', s.code, 'name', ${namesSql('s')}) FROM services s WHERE s.id = ANY($2::int[])`,
    [[...new Set(rows.map((r) => r.district))], services],
  );
  return new Map(labels.rows.map((l) => [`${l.kind}${l.id}`, l.label]));
}

/**
 * Each appeal's possible duplicates among those registered before it (in this group too). A
 * request answered on the call is done: nothing to merge it with.
 */
async function earlierDuplicates(db: pg.PoolClient, rows: Row[]) {
  const searched = rows.filter((r) => !r.consulted);
  const found = await findDuplicatesMany(
    db,
    searched.map((r) => ({
      categoryId: r.category.id,
      lng: r.j.input.location.coordinates[0],
      lat: r.j.input.location.coordinates[1],
      exclude: r.id,
    })),
  );
  return new Map(searched.map((r, k) => [r.id, found[k]]));
}

/** The 201 body of one appeal. */
function answerOf(r: Row, incident: Inserted, labels: Map<string, Label>, duplicates: unknown[] | undefined, now: Date): IntakeResult {
  return {
    id: r.id,
    number: incident.number,
    type: r.j.input.type,
    category: r.j.input.category,
    status: incident.status,
    resolution: r.consulted ? 'consulted' : null,
    priority: r.category.priority,
    district: labels.get(`d${r.district}`) as IntakeResult['district'],
    service: incident.service_id === null ? null : (labels.get(`s${incident.service_id}`) as NonNullable<IntakeResult['service']>),
    created_at: now.toISOString(),
    due_at: r.due.toISOString(),
    version: incident.version,
    // Stored as JSON: a replay answers byte for byte what the first request answered.
    duplicates: JSON.parse(JSON.stringify(duplicates ?? [])),
    ...(r.outage !== null ? { outage: r.outage } : {}),
  };
}

/** Keeps each keyed appeal's answer with its key, for the replay of a repeated request. */
async function storeAnswers(db: pg.PoolClient, rows: Row[], group: Group): Promise<void> {
  const answered = rows.filter((r) => r.j.idempotencyKey !== undefined && r.j.user.id !== null);
  if (!answered.length) return;
  await prepared(
    db,
    'answers',
    `UPDATE idempotency_keys k SET incident_id = u.id, status = 201, response = u.response
       FROM unnest($1::int[], $2::text[], $3::bigint[], $4::jsonb[]) u(user_id, key, id, response)
      WHERE k.user_id = u.user_id AND k.key = u.key`,
    [
      answered.map((r) => r.j.user.id),
      answered.map((r) => r.j.idempotencyKey),
      answered.map((r) => r.id),
      answered.map((r) => JSON.stringify((group.outcomes[r.i] as { body: IntakeResult }).body)),
    ],
  );
}
