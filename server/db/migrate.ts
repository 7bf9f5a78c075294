import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withTransaction } from './pool.ts';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * Applies the numbered SQL files in migrations/ (`001_schema.sql`, ...) that this database has
 * not seen, each once and in its own transaction, in order. Returns the names applied.
 */
export async function migrate(pool: pg.Pool): Promise<string[]> {
  await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await pool.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const done = new Set((await pool.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
  const files = readdirSync(migrationsDir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = readFileSync(migrationsDir + file, 'utf8');
    await withTransaction(pool, async (client) => {
      // A concurrent instance may be migrating too: the lock makes the second one wait, then skip.
      await client.query('SELECT pg_advisory_xact_lock(10901)');
      const seen = await client.query('SELECT 1 FROM schema_migrations WHERE name = $1', [file]);
      if (seen.rowCount) return;
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    });
  }
  return applied;
}
