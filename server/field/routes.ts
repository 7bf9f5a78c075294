import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { covers } from '../auth/scope.ts';
import type { AppEnv, Deps } from '../context.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { getIncident, toFeature } from '../incidents/queries.ts';
import { loadState } from '../lifecycle/transitions.ts';
import { linkKey } from '../lifecycle/tokens.ts';
import {
  fieldAppealSchema,
  fieldResolvedSchema,
  photoReplaySchema,
  photoSchema,
  proofSchema,
  workListSchema,
  type Photo,
  type WorkList,
} from '../contract/field.ts';
import type { Sendable } from '../contract/sendable.ts';
import { describeRoute } from '../openapi/registry.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import { pause, PauseSchema, resolveWithProof, ResolveSchema, ResumeSchema, take, TakeSchema, uploadPhoto } from './actions.ts';
import { actionKeyOf } from './keys.ts';
import { PhotoFieldsSchema } from './photos.ts';
import { packProofRules, proofRuleFor } from './proof.ts';
import { checksOf, getPhoto, photosOf, workList, type PhotoRow } from './queries.ts';
import { photoStoreFor, type PhotoStore } from './store.ts';

/** The path of photo uploads: its own body limit (JARDEM_PHOTO_MAX_MB), not the API's 1 MiB. */
export const PHOTO_UPLOAD_PATH = /^\/api\/field\/incidents\/\d+\/photos$/;

const IdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

const WorkQuery = z.object({
  sort: z.enum(['due', 'distance']).default('due'),
  /** `lng,lat` of where the user stands (for sorting by distance and showing it). */
  near: z
    .string()
    .regex(/^-?\d{1,3}(\.\d+)?,-?\d{1,2}(\.\d+)?$/, 'lng,lat')
    .transform((s) => s.split(',').map(Number) as [number, number])
    .refine(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 90, 'out of range')
    .optional(),
});

const PublishSchema = z.object({ published: z.boolean() });

/** A photo as the API lists it (no storage key, no uploader for those outside the appeal). */
const photoJson = (p: PhotoRow): Sendable<Photo> => ({
  id: p.id,
  kind: p.kind,
  taken_at: p.taken_at,
  position: p.position,
  accuracy_m: p.accuracy_m,
  uploaded_at: p.uploaded_at,
  width: p.width,
  height: p.height,
  size_bytes: p.size_bytes,
  published: p.published,
  url: `/api/field/photos/${p.id}`,
});

/**
 * /api/field — the executors' field app (issue 24): the work list, take / pause / resume /
 * resolve with the device's time and position (each with an optional Idempotency-Key, so an
 * action queued offline applies once), proof photos, and what a supervisor reviews.
 */
export function fieldRoutes({ pool, config }: Deps, store: PhotoStore = photoStoreFor(config)) {
  const key = linkKey(config);
  const rules = () => packProofRules(config.JARDEM_CITY);
  const maxBytes = Math.round(config.JARDEM_PHOTO_MAX_MB * 1024 * 1024);

  /** The appeal as GET /api/incidents/:id shows it, after an action. */
  async function appeal(id: number) {
    const row = await getIncident(pool, id);
    if (!row) throw notFound('Incident');
    return toFeature(row);
  }

  return new Hono<AppEnv>()
    .get('/work', validQuery(WorkQuery), async (c) => {
      const q = c.req.valid('query');
      c.header('Cache-Control', 'private, no-cache');
      const items = await workList(pool, c.get('scope').appeals, q.sort, q.near ?? null);
      // Each with the photos its category asks for and the distance that flags a resolution.
      return c.json({
        items: items.map((i) => ({ ...i, proof: proofRuleFor(rules(), i.category) })),
        sort: q.sort,
      } satisfies Sendable<WorkList>);
    })
    .post('/incidents/:id/take', validParam(IdParam), validJson(TakeSchema), async (c) => {
      const { id } = c.req.valid('param');
      if (await take(pool, id, c.req.valid('json'), c.get('user')!, actionKeyOf(c.req.header('Idempotency-Key'))))
        c.header('Idempotent-Replayed', 'true');
      return c.json(await appeal(id));
    })
    .post('/incidents/:id/pause', validParam(IdParam), validJson(PauseSchema), async (c) => {
      const { id } = c.req.valid('param');
      if (await pause(pool, id, c.req.valid('json'), c.get('user')!, actionKeyOf(c.req.header('Idempotency-Key'))))
        c.header('Idempotent-Replayed', 'true');
      return c.json(await appeal(id));
    })
    .post('/incidents/:id/resume', validParam(IdParam), validJson(ResumeSchema), async (c) => {
      const { id } = c.req.valid('param');
      if (await pause(pool, id, c.req.valid('json'), c.get('user')!, actionKeyOf(c.req.header('Idempotency-Key'))))
        c.header('Idempotent-Replayed', 'true');
      return c.json(await appeal(id));
    })
    .post('/incidents/:id/resolve', validParam(IdParam), validJson(ResolveSchema), async (c) => {
      const { id } = c.req.valid('param');
      const user = c.get('user')!;
      if (await resolveWithProof(pool, rules(), id, c.req.valid('json'), user, key, actionKeyOf(c.req.header('Idempotency-Key')))) {
        c.header('Idempotent-Replayed', 'true');
      }
      return c.json({ ...(await appeal(id)), checks: (await checksOf(pool, id)).at(-1) ?? null });
    })
    .post(
      '/incidents/:id/photos',
      bodyLimit({
        maxSize: maxBytes,
        onError: () => {
          throw new AppError(413, 'payload_too_large', `The photo is larger than ${config.JARDEM_PHOTO_MAX_MB} MiB.`);
        },
      }),
      validParam(IdParam),
      async (c) => {
        const { id } = c.req.valid('param');
        const idemKey = actionKeyOf(c.req.header('Idempotency-Key'));
        if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
          throw new AppError(415, 'unsupported_media_type', 'Send the photo as multipart/form-data with a `photo` file.');
        }
        let form: FormData;
        try {
          form = await c.req.formData();
        } catch (err) {
          if (err instanceof AppError) throw err;
          throw badRequest('The multipart body could not be read.', [{ path: 'body', message: 'malformed multipart' }]);
        }
        const file = form.get('photo');
        if (!(file instanceof File) || file.size === 0)
          throw badRequest('Give the photo as the `photo` file.', [{ path: 'photo', message: 'required' }]);
        const fields: Record<string, string> = {};
        for (const [k, v] of form) if (k !== 'photo' && typeof v === 'string') fields[k] = v;
        const parsed = PhotoFieldsSchema.strict().safeParse(fields);
        if (!parsed.success) {
          throw badRequest(
            'Invalid photo fields.',
            parsed.error.issues.map((i) => ({
              path: i.path.join('.') || String((i as { keys?: string[] }).keys?.[0] ?? 'body'),
              message: i.message,
            })),
          );
        }
        const { photo, replayed } = await uploadPhoto(
          pool,
          store,
          id,
          parsed.data,
          Buffer.from(await file.arrayBuffer()),
          c.get('user')!,
          idemKey,
        );
        if (replayed) {
          c.header('Idempotent-Replayed', 'true');
          return c.json({ replayed: true, photos: (await photosOf(pool, id)).map(photoJson) }, 200);
        }
        return c.json(photoJson(photo!), 201);
      },
    )
    .get('/incidents/:id/proof', validParam(IdParam), async (c) => {
      const { id } = c.req.valid('param');
      const row = await loadState(pool, id);
      if (!row || !covers(c.get('scope').appeals, { districtId: row.district_id, serviceId: row.service_id })) throw notFound('Incident');
      const [photos, checks] = await Promise.all([photosOf(pool, id), checksOf(pool, id)]);
      return c.json({ photos: photos.map(photoJson), checks });
    })
    .get('/photos/:id', validParam(IdParam), async (c) => {
      const photo = await getPhoto(pool, c.req.valid('param').id);
      // Unpublished: only those who reach the appeal (its service, the districts' supervisor, the desk);
      // for anyone else it does not exist.
      let allowed = Boolean(photo?.published);
      if (photo && !allowed && c.get('user')) {
        const row = await loadState(pool, photo.incident_id);
        allowed = Boolean(row && covers(c.get('scope').personalData, { districtId: row.district_id, serviceId: row.service_id }));
      }
      if (!photo || !allowed) throw notFound('Photo');
      const bytes = await store.get(photo.storage_key);
      if (!bytes) throw notFound('Photo');
      return c.body(new Uint8Array(bytes), 200, {
        'Content-Type': photo.content_type,
        'Cache-Control': photo.published ? 'public, max-age=3600' : 'private, max-age=3600',
        'X-Content-Type-Options': 'nosniff',
      });
    })
    .post('/photos/:id/publish', validParam(IdParam), validJson(PublishSchema), async (c) => {
      const photo = await getPhoto(pool, c.req.valid('param').id);
      const row = photo && (await loadState(pool, photo.incident_id));
      if (!photo || !row || !covers(c.get('scope').appeals, { districtId: row.district_id, serviceId: row.service_id }))
        throw notFound('Photo');
      const { published } = c.req.valid('json');
      await pool.query(
        'UPDATE incident_photos SET published = $2, published_by = CASE WHEN $2 THEN $3::int END, published_at = CASE WHEN $2 THEN now() END WHERE id = $1',
        [photo.id, published, c.get('user')!.id],
      );
      return c.json(photoJson((await getPhoto(pool, photo.id))!));
    });
}

const appealAfter = { description: 'The appeal after the action, as GET /api/incidents/{id} shows its feature', schema: fieldAppealSchema };
describeRoute('GET', '/api/field/work', {
  summary: 'The field work list: open appeals of my service (or districts), by deadline or distance',
  description:
    'Assigned, in progress and reopened appeals in the caller’s scope with address, description, deadline, point, distance from `near` (metres) and the latest pause.',
  responses: { '200': { description: 'The work list, each with the proof its category asks for', schema: workListSchema } },
});
describeRoute('POST', '/api/field/incidents/:id/take', {
  summary: 'Take an appeal into work from the field (time and position of the device)',
  description: 'With an `Idempotency-Key`, a replay answers the appeal with `Idempotent-Replayed: true` and does nothing again.',
  responses: { '200': appealAfter },
});
describeRoute('POST', '/api/field/incidents/:id/pause', {
  summary: 'Pause work on an appeal, with a reason (status unchanged)',
  responses: { '200': appealAfter },
});
describeRoute('POST', '/api/field/incidents/:id/resume', { summary: 'Resume paused work on an appeal', responses: { '200': appealAfter } });
describeRoute('POST', '/api/field/incidents/:id/resolve', {
  summary: 'Resolve with proof of work',
  description:
    'Needs the photos the category asks for (geodata/<city>/proof.json), else 400 `proof_required`. A position farther than the category’s distance, a photo older than the appeal or no position are flagged for the supervisor (`checks.flags`).',
  responses: { '200': { description: 'The appeal after it, with the latest resolution check', schema: fieldResolvedSchema } },
});
describeRoute('POST', '/api/field/incidents/:id/photos', {
  summary: 'Upload a proof photo (multipart: `photo`, `kind`, `taken_at`, `lng`, `lat`, `accuracy`)',
  description:
    'Re-encoded as JPEG ≤ 1600 px without EXIF; time and position kept in the database. 413 past JARDEM_PHOTO_MAX_MB, 415 for a non-image.',
  responses: {
    '201': { description: 'The stored photo', schema: photoSchema },
    '200': { description: 'A replay (same Idempotency-Key): the appeal’s photos', schema: photoReplaySchema },
    '413': 'Too large',
    '415': 'Not an image',
  },
});
describeRoute('GET', '/api/field/incidents/:id/proof', {
  summary: 'An appeal’s proof photos and resolution checks (flags) for review',
  responses: { '200': { description: 'Photos and checks, oldest first', schema: proofSchema } },
});
describeRoute('GET', '/api/field/photos/:id', {
  summary: 'A proof photo (JPEG)',
  description: 'Published photos are public; an unpublished one answers 404 to anyone outside the appeal’s scope.',
  responses: { '200': { description: 'JPEG', contentType: 'image/jpeg' }, '404': 'No such photo, or not yours to see' },
});
describeRoute('POST', '/api/field/photos/:id/publish', {
  summary: 'Publish (or withdraw) a proof photo',
  responses: { '200': { description: 'The photo after the change', schema: photoSchema } },
});
