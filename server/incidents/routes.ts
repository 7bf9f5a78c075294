import { Hono } from 'hono';
import { z } from 'zod';
import { covers, type AppealScope } from '../auth/scope.ts';
import { getCatalog, idsForCodes } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import type { SessionUser } from '../domain/roles.ts';
import { badRequest, notFound } from '../errors.ts';
import { BOUNCED_AT, incidentRisk } from '../lifecycle/control.ts';
import { incidentEta, withEtas } from '../lifecycle/eta-answers.ts';
import { openDispute } from '../closure/dispute.ts';
import { findDuplicates } from '../lifecycle/duplicates.ts';
import { rateByPhone, RatingSchema } from '../lifecycle/feedback.ts';
import { createIncident, IDEMPOTENCY_KEY, IntakeSchema } from '../lifecycle/intake.ts';
import { actsOnAppeals, allowedMoves, inScope } from '../lifecycle/machine.ts';
import { group, GroupSchema, merge, MergeSchema } from '../lifecycle/merge.ts';
import { linkKey, listFeedbackLinks } from '../lifecycle/tokens.ts';
import { escalate, EscalateSchema, loadState, stateOf, transition, TransitionSchema } from '../lifecycle/transitions.ts';
import { publicEvents, publicText } from '../privacy/visibility.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import { IncidentFilterSchema } from './filters.ts';
import { getIncident, getIncidentEvents, getReporters, listIncidents, toFeature } from './queries.ts';
import { smsOfIncident } from '../sms/queries.ts';
import { actionKeyOf } from '../field/keys.ts';

/** Page size cap: clients page with `next` beyond it. */
export const MAX_LIMIT = 1000;

const ListQuery = IncidentFilterSchema.and(
  z.object({
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
    cursor: z.string().max(200).optional(),
    sort: z.enum(['created', 'due']).default('created'),
  }),
);

export const IdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

const DuplicatesQuery = z.object({
  category: z.string().regex(/^[a-z0-9_.-]{1,128}$/, 'not a valid code'),
  lng: z.coerce.number().min(-180).max(180),
  lat: z.coerce.number().min(-90).max(90),
  exclude: z.coerce.number().int().positive().optional(),
});

export function incidentRoutes({ pool, config }: Deps) {
  const key = linkKey(config);

  /** The moves the signed-in user may make on an appeal now (empty when none or out of scope). */
  async function movesFor(user: SessionUser | null, id: number) {
    if (!user || !actsOnAppeals(user.role)) return undefined;
    const row = await loadState(pool, id);
    if (!row || !inScope(user, { districtId: row.district_id, serviceId: row.service_id })) return [];
    return allowedMoves(user.role, stateOf(row));
  }

  /** Whether the scope reaches this appeal (supervisor: in their districts; executor: their service). */
  async function reaches(scope: AppealScope, id: number) {
    if (scope.kind === 'none') return false;
    const row = await loadState(pool, id);
    return Boolean(row && covers(scope, { districtId: row.district_id, serviceId: row.service_id }));
  }

  /** An appeal after a change: the feature as GET shows it, with the user's next moves. */
  async function changed(id: number, user: SessionUser) {
    const row = await getIncident(pool, id);
    if (!row) throw notFound('Incident');
    return { ...toFeature(row), allowed: await movesFor(user, id) };
  }

  return new Hono<AppEnv>()
    .get('/', validQuery(ListQuery), async (c) => {
      const { limit, cursor, sort, ...filter } = c.req.valid('query');
      const scope = c.get('scope');
      const catalog = await getCatalog(pool);
      const page = await listIncidents(pool, catalog, filter, limit, cursor, sort, scope.appeals);
      // Free text as written only to those whose personal-data scope is the whole city (a list
      // mixes appeals in and out of a narrower scope); everyone else reads it redacted.
      const features = await withEtas(
        pool,
        catalog,
        scope.personalData.kind === 'all' ? page.features : page.features.map((f) => ({ ...f, properties: publicText(f.properties) })),
      );
      return c.json(
        {
          type: 'FeatureCollection',
          numberMatched: page.numberMatched,
          // An estimate (many thousands of appeals over history), not an exact count.
          ...(page.numberMatchedEstimated ? { numberMatchedEstimated: true } : {}),
          numberReturned: features.length,
          next: page.next,
          features,
        },
        200,
        // A FeatureCollection: served as the GeoJSON media type it is documented with (RFC 7946).
        { 'Content-Type': 'application/geo+json; charset=UTF-8' },
      );
    })
    .post('/', validJson(IntakeSchema), async (c) => {
      const idempotencyKey = c.req.header('Idempotency-Key');
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw badRequest('Invalid Idempotency-Key: 1–200 printable ASCII characters.', [
          { path: 'Idempotency-Key', message: 'not a valid key' },
        ]);
      }
      const { body, replayed } = await createIncident(pool, c.req.valid('json'), c.get('user')!, idempotencyKey);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      c.header('Location', `/api/incidents/${body.id}`);
      return c.json(body, 201);
    })
    .get('/duplicates', validQuery(DuplicatesQuery), async (c) => {
      const q = c.req.valid('query');
      const [categoryId] = idsForCodes((await getCatalog(pool)).categories, [q.category], 'category');
      return c.json({ duplicates: await findDuplicates(pool, categoryId, q.lng, q.lat, q.exclude, c.get('scope').appeals) });
    })
    .post('/group', validJson(GroupSchema), async (c) =>
      c.json(await group(pool, c.req.valid('json'), c.get('user')!, c.get('scope').appeals, key)),
    )
    .get('/:id', validParam(IdParam), async (c) => {
      const { id } = c.req.valid('param');
      const row = await getIncident(pool, id);
      if (!row) throw notFound('Incident');
      const user = c.get('user');
      // Personal data (names and phones, internal notes, free text as written) only to roles that
      // handle this appeal (scope: districts, service), and of its merged duplicates only those in
      // that scope too; each read of reporters is logged.
      const { personalData } = c.get('scope');
      const full = Boolean(user) && (await reaches(personalData, id));
      const [events, reporters, risk, allowed, links, sms, eta, dispute] = await Promise.all([
        getIncidentEvents(pool, id),
        full ? getReporters(pool, id, user!.id, personalData) : Promise.resolve(undefined),
        incidentRisk(pool, id),
        movesFor(user, id),
        // Callers get theirs by SMS (server/sms); dispatchers may still read a link out on the phone.
        user && (user.role === 'dispatcher' || user.role === 'admin') ? listFeedbackLinks(pool, id, key) : Promise.resolve(undefined),
        // The SMS sent to the callers (phones: personal data) and how far each got.
        full ? smsOfIncident(pool, id) : Promise.resolve(undefined),
        // When it is expected to be resolved (issue 24): the durations model of the risk.
        incidentEta(pool, id),
        // Reopened on the citizen's dispute: why, shown first (their words only to those in scope).
        openDispute(pool, id, full),
      ]);
      const feature = toFeature(full ? row : publicText(row));
      return c.json({
        ...feature,
        properties: { ...feature.properties, bounced: Number(row.reassign_count) >= BOUNCED_AT, risk, eta },
        events: full ? events : publicEvents(events),
        ...(reporters ? { reporters } : {}),
        ...(allowed ? { allowed } : {}),
        ...(links ? { feedback_links: links } : {}),
        ...(sms ? { sms } : {}),
        ...(dispute ? { dispute } : {}),
      });
    })
    .post('/:id/transitions', validParam(IdParam), validJson(TransitionSchema), async (c) => {
      const user = c.get('user')!;
      const { id } = c.req.valid('param');
      // An Idempotency-Key makes a retried move (the field app's offline queue) apply once.
      if (await transition(pool, id, c.req.valid('json'), user, key, actionKeyOf(c.req.header('Idempotency-Key')))) {
        c.header('Idempotent-Replayed', 'true');
      }
      return c.json(await changed(id, user));
    })
    .post('/:id/escalate', validParam(IdParam), validJson(EscalateSchema), async (c) => {
      const user = c.get('user')!;
      const { id } = c.req.valid('param');
      await escalate(pool, id, c.req.valid('json'), user);
      return c.json(await changed(id, user));
    })
    .post('/:id/merge', validParam(IdParam), validJson(MergeSchema), async (c) =>
      c.json(await merge(pool, c.req.valid('param').id, c.req.valid('json'), c.get('user')!, c.get('scope').appeals, key)),
    )
    .post('/:id/feedback', validParam(IdParam), validJson(RatingSchema), async (c) =>
      c.json(await rateByPhone(pool, c.req.valid('param').id, c.req.valid('json'), c.get('user')!)),
    );
}
