import { Hono } from 'hono';
import { z } from 'zod';
import { issueDisplayToken, listDisplayTokens, revokeDisplayToken } from '../auth/display-tokens.ts';
import { deleteUserSessions } from '../auth/sessions.ts';
import { SignInThrottle } from '../auth/throttle.ts';
import type { AppEnv, Deps } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { badRequest, validJson, validParam, validQuery } from '../validate.ts';
import { createUser, getUser, listUsers, NewUserSchema, Password, resetPassword, updateUser, UserPatchSchema } from './users.ts';
import type { AdminUsers, DisplayTokens, IssuedDisplayToken, SignInLocks } from '../contract/admin.ts';
import type { Sendable } from '../contract/sendable.ts';

const NewToken = z.object({ name: z.string().trim().min(1).max(100) });
const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});
const PasswordBody = z.object({ password: Password });
/** Which sign-in locks to lift: a login's, an address's, or the one pair when both are given. */
const LockQuery = z
  .object({
    login: z.string().trim().min(1).max(64).optional(),
    address: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

/** Administration (admin only, see server/auth/matrix.ts): users, sign-in locks and display tokens for wall screens. */
export function adminRoutes({ pool, config }: Deps) {
  const throttle = new SignInThrottle(pool, config);
  return new Hono<AppEnv>()
    .get('/users', async (c) => c.json({ items: await listUsers(pool) } satisfies Sendable<AdminUsers>))
    .post('/users', validJson(NewUserSchema), async (c) => {
      const id = await createUser(pool, c.req.valid('json'));
      if (id === null) throw conflict('This login is taken.', [{ path: 'login', message: 'taken' }]);
      return c.json(await getUser(pool, id), 201);
    })
    .patch('/users/:id', validParam(IdParam), validJson(UserPatchSchema), async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      // An admin cannot lock themselves out: their own role and account stay as they are.
      if (id === c.get('user')!.id && (patch.disabled || (patch.role && patch.role !== 'admin'))) {
        throw conflict('You cannot disable your own account or give up your admin role.');
      }
      const user = await updateUser(pool, id, patch);
      if (!user) throw notFound('User');
      return c.json(user);
    })
    .post('/users/:id/password', validParam(IdParam), validJson(PasswordBody), async (c) => {
      if (!(await resetPassword(pool, c.req.valid('param').id, c.req.valid('json').password))) throw notFound('User');
      return c.json({ ok: true });
    })
    .post('/users/:id/logout', validParam(IdParam), async (c) => {
      const { id } = c.req.valid('param');
      if (!(await getUser(pool, id))) throw notFound('User');
      return c.json({ ok: true, ended: await deleteUserSessions(pool, id) });
    })
    .get('/sign-in-locks', validQuery(z.object({}).strict()), async (c) =>
      c.json({ items: await throttle.locks() } satisfies Sendable<SignInLocks>),
    )
    .delete('/sign-in-locks', validQuery(LockQuery), async (c) => {
      const filter = c.req.valid('query');
      if (!filter.login && !filter.address) {
        throw badRequest('Name a login, an address or both.', [{ path: 'login', message: 'login or address required' }]);
      }
      return c.json({ ok: true, lifted: await throttle.lift(filter) });
    })
    .get('/display-tokens', async (c) => c.json({ items: await listDisplayTokens(pool) } satisfies Sendable<DisplayTokens>))
    .post('/display-tokens', validJson(NewToken), async (c) => {
      const { id, token } = await issueDisplayToken(pool, c.req.valid('json').name, c.get('user')!.id);
      // The token is shown once: only its hash is stored.
      return c.json({ id, token, url: `/wall?token=${token}` } satisfies IssuedDisplayToken, 201);
    })
    .delete('/display-tokens/:id', validParam(IdParam), async (c) => {
      if (!(await revokeDisplayToken(pool, c.req.valid('param').id))) throw notFound('Display token');
      return c.json({ ok: true });
    });
}
