import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** An Open311 API key as the admin sees it (never the key itself, which is shown once). */
export interface ApiKey {
  id: number;
  name: string;
  created_by: number | null;
  created_at: Date;
  revoked_at: Date | null;
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Issues a key: returns it once; only its SHA-256 is kept. */
export async function issueApiKey(pool: pg.Pool, name: string, createdBy: number): Promise<{ id: number; key: string }> {
  const key = randomBytes(24).toString('base64url');
  const { rows } = await pool.query<{ id: number }>('INSERT INTO api_keys (name, key_hash, created_by) VALUES ($1, $2, $3) RETURNING id', [
    name,
    hashKey(key),
    createdBy,
  ]);
  return { id: rows[0].id, key };
}

export async function listApiKeys(pool: pg.Pool): Promise<ApiKey[]> {
  const { rows } = await pool.query<ApiKey>('SELECT id, name, created_by, created_at, revoked_at FROM api_keys ORDER BY id');
  return rows;
}

/** Revokes a key; false when there is no such (unrevoked) key. */
export async function revokeApiKey(pool: pg.Pool, id: number): Promise<boolean> {
  const r = await pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (r.rowCount ?? 0) > 0;
}

/** The live key matching `key`, with the admin who issued it (the appeal's registrar), or null. */
export async function apiKeyFor(pool: pg.Pool, key: string): Promise<{ id: number; name: string; created_by: number | null } | null> {
  if (!key || key.length > 200) return null;
  const { rows } = await pool.query<{ id: number; name: string; created_by: number | null }>(
    'SELECT id, name, created_by FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [hashKey(key)],
  );
  return rows[0] ?? null;
}
