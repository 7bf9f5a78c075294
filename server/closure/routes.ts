import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { INSTANT_MESSAGE, instantMs, isInstant } from '../instants.ts';
import { closureSchema, etaAccuracySchema, type Closure, type EtaAccuracy } from '../contract/closure.ts';
import { describeRoute } from '../openapi/registry.ts';
import { validQuery } from '../validate.ts';
import { etaAccuracy } from './eta-accuracy.ts';
import { closureMetrics } from './metrics.ts';

const DAY_MS = 86_400_000;
const instant = z.string().max(40).refine(isInstant, { message: INSTANT_MESSAGE });

export const ClosureQuery = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    by: z.enum(['service', 'district']).default('service'),
  })
  .refine((q) => !q.from || !q.to || instantMs(q.from) <= instantMs(q.to), { message: 'from must not be after to', path: ['from'] });

export const EtaAccuracyQuery = z.object({});

describeRoute('GET', '/api/stats/closure', {
  summary: 'Verified closure by service or district: reopen rate, share with proof, share confirmed by citizens',
  description:
    'Over [from, to) (default: the last 30 days). Reopen rate: reopenings after a citizen’s dispute ÷ resolutions; proof: resolutions with a photo attached ÷ resolutions; confirmed: resolved appeals rated 4–5 and not disputed ÷ those whose citizen was asked. Aggregates only, no personal data.',
  responses: { '200': { description: 'The figures overall and per service or district', schema: closureSchema } },
});
describeRoute('GET', '/api/stats/eta-accuracy', {
  summary: 'How good the ETAs were: mean absolute error and share within ±25 %, by category',
  description:
    'Computed by the ETA job (in-process every 10 minutes, or `npm run eta:run`) from the estimates given at creation and the time the appeals then took, over the last 90 days of resolutions.',
  responses: { '200': { description: 'Accuracy overall (null before the first run) and per category', schema: etaAccuracySchema } },
});

/** GET /api/stats/closure and /api/stats/eta-accuracy (issue 24, items 4 and 5). */
export function closureRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/closure', validQuery(ClosureQuery), async (c) => {
      const q = c.req.valid('query');
      const to = q.to ?? new Date().toISOString();
      const from = q.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
      return c.json((await closureMetrics(pool, q.by, from, to)) satisfies Closure);
    })
    .get('/eta-accuracy', validQuery(EtaAccuracyQuery), async (c) => c.json((await etaAccuracy(pool)) satisfies EtaAccuracy));
}
