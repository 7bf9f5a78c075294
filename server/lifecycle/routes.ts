import { Hono } from 'hono';
import { z } from 'zod';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { notFound } from '../errors.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import { controlView, ControlQuerySchema } from './control.ts';
import { disputeByLink, DisputeSchema, feedbackView, rateByLink, RatingSchema } from './feedback.ts';
import { NumberParam, publicStatus } from './public.ts';

/** GET /api/control — execution control (overdue, escalated, bounced, deadline risk). */
export function controlRoutes({ pool }: Deps) {
  return new Hono<AppEnv>().get('/', validQuery(ControlQuerySchema), async (c) =>
    c.json(await controlView(pool, await getCatalog(pool), c.req.valid('query'), c.get('scope').appeals)),
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

/** GET /api/public/incidents/:number — an appeal's status for anyone who has its number. */
export function publicRoutes({ pool }: Deps) {
  return new Hono<AppEnv>().get('/incidents/:number', validParam(NumberParam), async (c) => {
    const row = await publicStatus(pool, c.req.valid('param').number);
    if (!row) throw notFound('Appeal');
    return c.json(row);
  });
}
