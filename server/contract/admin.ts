/** Answers of the administration routes: accounts, sign-in locks, display tokens, Open311 keys. */
import { z } from 'zod';

const time = z.string();

/** A user account as the admin sees it. */
export const adminUserSchema = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string(),
  role: z.string(),
  /** supervisor: district codes */
  districts: z.array(z.string()),
  /** executor: a service code */
  service: z.string().nullable(),
  disabled: z.boolean(),
  created_at: time,
  /** open sessions */
  sessions: z.number().int(),
  locked_until: time.nullable(),
});
export type AdminUserAnswer = z.infer<typeof adminUserSchema>;
export const adminUsersSchema = z.object({ items: z.array(adminUserSchema) });

/** GET /api/admin/sign-in-locks */
export const signInLocksSchema = z.object({
  items: z.array(
    z.object({
      kind: z.enum(['pair', 'address', 'login']),
      login: z.string().nullable(),
      address: z.string().nullable(),
      attempts: z.number().int(),
      window_start: time,
      locked_until: time.nullable(),
      last_at: time,
    }),
  ),
});
/** DELETE /api/admin/sign-in-locks */
export const liftedSchema = z.object({ ok: z.literal(true), lifted: z.number().int() });

/** GET /api/admin/display-tokens */
export const displayTokensSchema = z.object({
  items: z.array(
    z.object({ id: z.number().int(), name: z.string(), created_at: time, last_used_at: time.nullable(), revoked_at: time.nullable() }),
  ),
});
/** POST /api/admin/display-tokens (201): the token is shown once. */
export const issuedDisplayTokenSchema = z.object({ id: z.number().int(), token: z.string(), url: z.string() });

/** GET /api/admin/api-keys (never the keys themselves) */
export const apiKeysSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      created_by: z.number().int().nullable(),
      created_at: time,
      revoked_at: time.nullable(),
    }),
  ),
});
/** POST /api/admin/api-keys (201): the key is shown once. */
export const issuedApiKeySchema = z.object({ id: z.number().int(), api_key: z.string() });

export type AdminUsers = z.infer<typeof adminUsersSchema>;
export type SignInLocks = z.infer<typeof signInLocksSchema>;
export type DisplayTokens = z.infer<typeof displayTokensSchema>;
export type IssuedDisplayToken = z.infer<typeof issuedDisplayTokenSchema>;
