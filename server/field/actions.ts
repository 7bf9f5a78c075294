import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '../db/pool.ts';
import type { SessionUser } from '../domain/roles.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { findAction, RESOLVE_REASONS } from '../lifecycle/machine.ts';
import { assertScope, illegal, loadState, staleVersion, stateOf, type StateRow, writeMove } from '../lifecycle/transitions.ts';
import type { Db } from '../lifecycle/duplicates.ts';
import { alreadyApplied, recordKey } from './keys.ts';
import { newPhotoKey, positionOf, processPhoto, type PhotoFields } from './photos.ts';
import { missingProof, proofRuleFor, resolutionFlags, type ProofRules } from './proof.ts';
import { FIELD_STATUSES, insertPhoto, photosOf, type PhotoRow } from './queries.ts';
import type { PhotoStore } from './store.ts';

const lngLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/** Where and when the device was when the executor acted (an action queued offline keeps its own time). */
const Where = {
  /** When the executor acted (ISO 8601), by the device's clock; unset: when it arrives. Not in the future. */
  acted_at: z.iso.datetime({ offset: true }).optional(),
  /** [lng, lat] of the device, WGS 84. */
  position: lngLat.optional(),
  /** The position's accuracy in metres. */
  accuracy: z.number().min(0).max(100_000).optional(),
};

export const TakeSchema = z.object({ version: z.number().int().min(1), ...Where });

/** Why work stops for a while. */
export const PAUSE_REASONS = ['parts', 'access', 'weather', 'other_service', 'citizen_absent', 'shift_end', 'other'] as const;
export const PauseSchema = z.object({
  reason: z.enum(PAUSE_REASONS),
  note: z.string().trim().min(1).max(2000).optional(),
  ...Where,
});
export const ResumeSchema = z.object({ ...Where });

export const ResolveSchema = z.object({
  version: z.number().int().min(1),
  note: z.string().trim().min(1).max(2000),
  reason: z.enum(RESOLVE_REASONS).optional(),
  ...Where,
});

type Facts = { acted_at?: string; position?: [number, number]; accuracy?: number };

/** A device's time, refused when it is in the future (a clock a few minutes fast is tolerated). */
function actedAt(f: Facts): Date {
  if (f.acted_at === undefined) return new Date();
  const t = new Date(f.acted_at);
  if (t.getTime() > Date.now() + 5 * 60_000)
    throw badRequest('acted_at is in the future.', [{ path: 'acted_at', message: 'in the future' }]);
  return t;
}

const factsData = (f: Facts) => ({
  acted_at: actedAt(f).toISOString(),
  ...(f.position ? { position: f.position } : {}),
  ...(f.accuracy !== undefined ? { accuracy_m: f.accuracy } : {}),
});

/** Locks the appeal, checks the scope and replays: null when the key was already applied. */
async function begin(db: Db, id: number, user: SessionUser, key: string | undefined, action: string): Promise<StateRow | null> {
  const row = await loadState(db, id, true);
  if (!row) throw notFound('Incident');
  assertScope(user, row);
  if (key !== undefined && (await alreadyApplied(db, user.id, key, id, action))) return null;
  return row;
}

/** Take: in progress, with the time and place the executor took it. Returns whether it was a replay. */
export async function take(pool: pg.Pool, id: number, req: z.infer<typeof TakeSchema>, user: SessionUser, key?: string): Promise<boolean> {
  return withTransaction(pool, async (db) => {
    const row = await begin(db, id, user, key, 'take');
    if (!row) return true;
    if (row.version !== req.version) throw staleVersion(row.number, req.version, row.version);
    const move = findAction(user.role, stateOf(row), 'take');
    if (!move) throw illegal(row, 'in_progress', []);
    await writeMove(db, row, move, { actorId: user.id, data: { field: factsData(req) } });
    if (key !== undefined) await recordKey(db, user.id, key, id, 'take');
    return false;
  });
}

/** Pause (or resume): an event on the appeal, the status stays; the work list shows it. */
export async function pause(
  pool: pg.Pool,
  id: number,
  req: z.infer<typeof PauseSchema> | (z.infer<typeof ResumeSchema> & { reason?: undefined; note?: undefined }),
  user: SessionUser,
  key?: string,
): Promise<boolean> {
  const action = req.reason === undefined ? 'resume' : 'pause';
  return withTransaction(pool, async (db) => {
    const row = await begin(db, id, user, key, action);
    if (!row) return true;
    if (!(FIELD_STATUSES as readonly string[]).includes(row.status)) {
      throw conflict(`Appeal ${row.number} is ${row.status}: work on it cannot ${action === 'pause' ? 'pause' : 'resume'}.`, [
        { path: 'status', message: `allowed while ${FIELD_STATUSES.join(', ')}` },
      ]);
    }
    await db.query(
      `INSERT INTO incident_events (incident_id, actor_id, action, from_status, to_status, note, data, visibility)
       VALUES ($1, $2, 'commented', $3, $3, $4, $5, 'internal')`,
      [id, user.id, row.status, req.note ?? null, { action, ...(req.reason ? { reason: req.reason } : {}), field: factsData(req) }],
    );
    if (key !== undefined) await recordKey(db, user.id, key, id, action);
    return false;
  });
}

/** The photo's facts as stored, from the form and, failing that, the image's own EXIF. */
export async function uploadPhoto(
  pool: pg.Pool,
  store: PhotoStore,
  id: number,
  fields: PhotoFields,
  input: Buffer,
  user: SessionUser,
  key?: string,
): Promise<{ photo: PhotoRow | null; replayed: boolean }> {
  // Scope first (nothing is decoded for an appeal the user may not touch).
  const row = await loadState(pool, id);
  if (!row) throw notFound('Incident');
  assertScope(user, row);
  if (!(FIELD_STATUSES as readonly string[]).includes(row.status)) {
    throw conflict(`Appeal ${row.number} is ${row.status}: photos are taken while it is worked on.`, [
      { path: 'status', message: `allowed while ${FIELD_STATUSES.join(', ')}` },
    ]);
  }
  const img = await processPhoto(input);
  const position = positionOf(fields, img.exifPosition);
  const takenAt = fields.taken_at ? new Date(fields.taken_at) : (img.exifTakenAt ?? new Date());
  if (takenAt.getTime() > Date.now() + 5 * 60_000)
    throw badRequest('taken_at is in the future.', [{ path: 'taken_at', message: 'in the future' }]);
  const storageKey = newPhotoKey(id);
  await store.put(storageKey, img.bytes);
  try {
    return await withTransaction(pool, async (db) => {
      const locked = await begin(db, id, user, key, `photo:${fields.kind}`);
      if (!locked) return { photo: null, replayed: true };
      const photo = await insertPhoto(db, {
        incident_id: id,
        kind: fields.kind,
        taken_at: takenAt.toISOString(),
        position,
        accuracy_m: fields.accuracy ?? null,
        uploaded_by: user.id,
        storage_key: storageKey,
        content_type: 'image/jpeg',
        size_bytes: img.bytes.length,
        width: img.width,
        height: img.height,
      });
      if (key !== undefined) await recordKey(db, user.id, key, id, `photo:${fields.kind}`);
      return { photo, replayed: false };
    }).then(async (out) => {
      if (out.replayed) await store.delete(storageKey);
      return out;
    });
  } catch (err) {
    await store.delete(storageKey);
    throw err;
  }
}

/**
 * Resolve from the field: the category's proof photos must be there (400 proof_required
 * naming the missing kinds); the resolution is then checked — farther from the appeal than the
 * category's distance, a photo older than the appeal, no position at all — and the flags are
 * kept for the supervisor beside the resolution's event.
 */
export async function resolveWithProof(
  pool: pg.Pool,
  rules: ProofRules,
  id: number,
  req: z.infer<typeof ResolveSchema>,
  user: SessionUser,
  linkKey: Buffer,
  key?: string,
): Promise<boolean> {
  return withTransaction(pool, async (db) => {
    const row = await begin(db, id, user, key, 'resolve');
    if (!row) return true;
    if (row.version !== req.version) throw staleVersion(row.number, req.version, row.version);
    const move = findAction(user.role, stateOf(row), 'resolve');
    if (!move) throw illegal(row, 'resolved', []);
    const { rows } = await db.query<{ code: string; created_at: Date }>(
      'SELECT c.code, i.created_at FROM incidents i JOIN categories c ON c.id = i.category_id WHERE i.id = $1',
      [id],
    );
    const rule = proofRuleFor(rules, rows[0].code);
    const photos = await photosOf(db, id);
    const missing = missingProof(rule, new Set(photos.map((p) => p.kind)));
    if (missing.length) {
      throw new AppError(
        400,
        'proof_required',
        `Resolving appeal ${row.number} needs a photo taken on the spot ${missing.map((k) => (k === 'before' ? 'before the work' : 'after it')).join(' and ')}.`,
        missing.map((k) => ({ path: 'photos', kind: k, message: `a ${k} photo is required` })),
      );
    }
    // The proof: the latest photo of each kind the category asks for (or the latest one at all).
    const latest = (k: string) => photos.filter((p) => p.kind === k).at(-1);
    const proof = [rule.before ? latest('before') : undefined, latest('after')].filter((p): p is PhotoRow => Boolean(p));
    // Where the device stood: the resolution's own position, else the proof photo's.
    const position = req.position ?? proof.find((p) => p.kind === 'after')?.position ?? proof[0]?.position ?? null;
    const distance = position
      ? Number(
          (
            await db.query<{ d: number }>(
              'SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326)::geography) AS d FROM incidents WHERE id = $1',
              [id, position[0], position[1]],
            )
          ).rows[0].d,
        )
      : null;
    const flags = resolutionFlags({
      rule,
      distanceM: distance,
      appealCreatedAt: new Date(rows[0].created_at),
      photoTimes: proof.map((p) => new Date(p.taken_at)),
    });
    const at = actedAt(req);
    await writeMove(db, row, move, {
      actorId: user.id,
      note: req.note,
      resolution: req.reason ?? (row.type === 'information_request' ? 'consulted' : 'fixed'),
      linkKey,
      data: { field: factsData(req), proof: { photos: proof.map((p) => p.id), flags } },
    });
    await db.query(
      `INSERT INTO incident_resolution_checks (incident_id, event_id, resolved_by, acted_at, position, distance_m, far_m, photo_ids, flags)
       VALUES ($1, (SELECT max(id) FROM incident_events WHERE incident_id = $1), $2, $3,
               CASE WHEN $4::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326) END,
               $6, $7, $8::bigint[], $9::text[])`,
      [id, user.id, at, position?.[0] ?? null, position?.[1] ?? null, distance, rule.farM, proof.map((p) => p.id), flags],
    );
    if (key !== undefined) await recordKey(db, user.id, key, id, 'resolve');
    return false;
  });
}
