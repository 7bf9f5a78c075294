import { Hono } from 'hono';
import { z } from 'zod';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { AppError } from '../errors.ts';
import { clientAddress } from '../limits/client-address.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import { controlView, ControlQuerySchema } from './control.ts';
import { disputeByLink, DisputeSchema, feedbackView, rateByLink, RatingSchema } from './feedback.ts';
import { MissCounter } from './miss-counter.ts';
import { NumberParam, publicStatus, requireFactor, StatusFactorQuery } from './public.ts';

/** GET /api/control — execution control (overdue, escalated, bounced, deadline risk). */
export function controlRoutes({ pool }: Deps) {
  return new Hono<AppEnv>().get('/', validQuery(ControlQuerySchema), async (c) =>
    c.json(await controlView(pool, await getCatalog(pool), c.req.valid('query'), c.get('user')!)),
  );
}

// Tokens are checked against the database (404 for anything unknown); the pattern only bounds the input.
const TokenParam = z.object({ token: z.string().max(100) });

/**
 * Citizens' feedback links, no sign-in: GET what the appeal came to, POST a rating, POST
 * /dispute to say it is not fixed (reopens it). No personal data in any answer.
 */
export function feedbackRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/:token', validParam(TokenParam), async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(await feedbackView(pool, c.req.valid('param').token));
    })
    .post('/:token', validParam(TokenParam), validJson(RatingSchema), async (c) =>
      c.json(await rateByLink(pool, c.req.valid('param').token, c.req.valid('json'))),
    )
    .post('/:token/dispute', validParam(TokenParam), validJson(DisputeSchema), async (c) =>
      c.json(await disputeByLink(pool, c.req.valid('param').token, c.req.valid('json'))),
    );
}

/**
 * GET /api/public/incidents/:number?phone4=|token= — an appeal's status for the citizen who
 * filed it: the number and a second factor (400 without one). A wrong factor and an unknown
 * number answer the same 404, and count as misses of the client's address (429 past
 * MISS_LIMIT in the window), so numbers cannot be enumerated.
 */
export function publicRoutes({ pool, config }: Deps) {
  const misses = new MissCounter(pool);
  return new Hono<AppEnv>().get('/incidents/:number', validParam(NumberParam), validQuery(StatusFactorQuery), async (c) => {
    c.header('Cache-Control', 'no-store');
    const factor = c.req.valid('query');
    requireFactor(factor);
    // In-process requests (tests, tools) have no socket: they share one key.
    const address = clientAddress(c, config) ?? 'local';
    await misses.reserve(address);
    const row = await publicStatus(pool, c.req.valid('param').number, factor);
    if (!row) throw new AppError(404, 'not_found', 'No appeal matches this number with these phone digits or this link.');
    await misses.release(address);
    return c.json(row);
  });
}
