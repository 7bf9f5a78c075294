import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { notFound } from '../errors.ts';
import { validJson, validParam } from '../validate.ts';
import { issueApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';

const NewKey = z.object({ name: z.string().trim().min(1).max(100) });
const KeyId = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});

/** /api/admin/api-keys: Open311 API keys (admin only). The key is shown once, at creation. */
export function apiKeyRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/', async (c) => c.json({ items: await listApiKeys(pool) }))
    .post('/', validJson(NewKey), async (c) => {
      const { id, key } = await issueApiKey(pool, c.req.valid('json').name, c.get('user')!.id);
      return c.json({ id, api_key: key }, 201);
    })
    .delete('/:id', validParam(KeyId), async (c) => {
      if (!(await revokeApiKey(pool, c.req.valid('param').id))) throw notFound('API key');
      return c.json({ ok: true });
    });
}
