import { Hono } from 'hono';
import { z } from 'zod';
import { issueDisplayToken, listDisplayTokens, revokeDisplayToken } from '../auth/display-tokens.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppEnv, Deps } from '../context.ts';
import { notFound } from '../errors.ts';
import { validJson, validParam } from '../validate.ts';

const NewToken = z.object({ name: z.string().trim().min(1).max(100) });
const TokenId = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});

/** Administration: display tokens for wall screens (admin only). */
export function adminRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .use('*', requireRole('admin'))
    .get('/display-tokens', async (c) => c.json({ items: await listDisplayTokens(pool) }))
    .post('/display-tokens', validJson(NewToken), async (c) => {
      const { id, token } = await issueDisplayToken(pool, c.req.valid('json').name, c.get('user')!.id);
      // The token is shown once: only its hash is stored.
      return c.json({ id, token, url: `/wall?token=${token}` }, 201);
    })
    .delete('/display-tokens/:id', validParam(TokenId), async (c) => {
      if (!(await revokeDisplayToken(pool, c.req.valid('param').id))) throw notFound('Display token');
      return c.json({ ok: true });
    });
}
