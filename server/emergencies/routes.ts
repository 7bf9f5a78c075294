import { Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';
import { IdParam } from '../incidents/routes.ts';
import {
  acknowledgeResultSchema,
  handoverResultSchema,
  measuresSchema,
  measureTickSchema,
  pendingEmergenciesSchema,
} from '../contract/emergencies.ts';
import { describeRoute } from '../openapi/registry.ts';
import { redact } from '../privacy/redact.ts';
import { validJson, validParam } from '../validate.ts';
import {
  acknowledge,
  AcknowledgeSchema,
  handOver,
  HandoverSchema,
  pendingEmergencies,
  readMeasures,
  TickSchema,
  tickMeasure,
} from './measures.ts';

describeRoute('GET', '/api/incidents/:id/measures', {
  summary: "An emergency appeal's first measures, hand-overs and acknowledgement",
  description:
    "The checklist of the appeal's category from the city pack (first-measures.json; a kind uses its nearest ancestor's), each measure with when it was done and by whom; the hand-overs to emergency services with the receiving operator's name; the emergency services to hand over to; whether the control room acknowledged it. Those who act on the appeal, in their scope.",
  responses: {
    '200': { description: 'The checklist, hand-overs, services and acknowledgement', schema: measuresSchema },
    '403': 'Out of your districts or service',
    '404': 'No such appeal',
  },
});
describeRoute('POST', '/api/incidents/:id/measures', {
  summary: 'Tick or untick a first measure',
  description:
    '`{measure, done, at?}`. Idempotent: a measure already in the asked state changes nothing (`changed: false`). Each change is an event in the history. Hand-over measures are ticked by POST /handovers (409 `handover_required`).',
  responses: {
    '200': { description: 'The panel after the tick, with `changed`', schema: measureTickSchema },
    '409': 'No checklist, a hand-over measure, or a recorded hand-over to untick',
  },
});
describeRoute('POST', '/api/incidents/:id/handovers', {
  summary: 'Record a hand-over to an emergency service (101, 103, 104, 112 …)',
  description:
    "`{service, operator, at?, note?}`: which service, when, the receiving operator's name (staff data: never on public surfaces). Ticks the checklist's hand-over measure for that service. The same hand-over sent again is not recorded twice (`created: false`).",
  responses: {
    '201': { description: 'Recorded; the panel after it', schema: handoverResultSchema },
    '200': { description: 'The same hand-over was recorded already (`created: false`); the panel', schema: handoverResultSchema },
  },
});
describeRoute('POST', '/api/incidents/:id/acknowledge', {
  summary: 'Acknowledge a new emergency: the wall lets go of it',
  description:
    'Every wall hears it on /api/live (an `incident.updated`) and drops the appeal from its hold. Acknowledging twice changes nothing (`changed: false`). 409 for an appeal that is not an emergency.',
  responses: {
    '200': { description: 'The panel, with `changed`', schema: acknowledgeResultSchema },
    '409': 'Not an emergency',
  },
});
describeRoute('GET', '/api/emergencies', {
  summary: 'New emergencies not yet acknowledged (what holds the wall)',
  description:
    'Open emergency appeals of the last 24 hours that nobody has acknowledged, oldest first: `{count, items}` with number, category, district, status and the redacted address. No personal data.',
  responses: { '200': { description: 'The hold list', schema: pendingEmergenciesSchema } },
});

/** /api/incidents/:id/measures, /handovers, /acknowledge — mounted beside incidentRoutes. */
export function emergencyIncidentRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/:id/measures', validParam(IdParam), async (c) => c.json(await readMeasures(pool, c.req.valid('param').id, c.get('user')!)))
    .post('/:id/measures', validParam(IdParam), validJson(TickSchema), async (c) =>
      c.json(await tickMeasure(pool, c.req.valid('param').id, c.req.valid('json'), c.get('user')!)),
    )
    .post('/:id/handovers', validParam(IdParam), validJson(HandoverSchema), async (c) => {
      const body = await handOver(pool, c.req.valid('param').id, c.req.valid('json'), c.get('user')!);
      return c.json(body, body.created ? 201 : 200);
    })
    .post('/:id/acknowledge', validParam(IdParam), validJson(AcknowledgeSchema), async (c) =>
      c.json(await acknowledge(pool, c.req.valid('param').id, c.get('user')!)),
    );
}

/** GET /api/emergencies — the wall's hold list. */
export function emergencyRoutes({ pool }: Deps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    c.header('Cache-Control', 'no-store');
    const { count, items } = await pendingEmergencies(pool);
    return c.json({ count, items: items.map((i) => ({ ...i, address: redact(i.address as string | null) })) });
  });
}
