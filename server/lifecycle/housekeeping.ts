import type pg from 'pg';
import { log } from '../log.ts';
import { systemNote } from './system-notes.ts';
import { FEEDBACK_DAYS } from './tokens.ts';

/** How often server/main.ts runs the periodic work. */
export const HOUSEKEEPING_EVERY_MS = 10 * 60_000;
/** A retry later than this creates a new appeal: stored answers are dropped after a day. */
export const IDEMPOTENCY_HOURS = 24;

export interface CloseOptions {
  /** Only these appeals (a manual run for chosen appeals, or a test that must not touch others). */
  ids?: number[];
  /** Appeals per statement (default 500); the function repeats until none are left. */
  batch?: number;
}

/**
 * Closes resolved appeals that no citizen disputed within FEEDBACK_DAYS of the resolution
 * (the state machine's `expire` move, made by the system): status closed, version + 1, and an
 * audit row each, in one statement per batch. Rows another transaction holds are skipped and
 * taken on the next run. Returns how many were closed.
 */
export async function closeExpiredResolved(pool: pg.Pool, opts: CloseOptions = {}): Promise<number> {
  const batch = opts.batch ?? 500;
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `WITH due AS (
         SELECT id FROM incidents
          WHERE status = 'resolved' AND resolved_at < now() - make_interval(days => $1)
            AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
          ORDER BY resolved_at LIMIT $3
            FOR UPDATE SKIP LOCKED
       ), closed AS (
         UPDATE incidents i SET status = 'closed', closed_at = now(), version = i.version + 1, updated_at = now()
           FROM due WHERE i.id = due.id
         RETURNING i.id
       )
       INSERT INTO incident_events (incident_id, action, from_status, to_status, note, data)
       SELECT id, 'transition', 'resolved', 'closed', $4, '{"action":"expire"}'::jsonb FROM closed`,
      [FEEDBACK_DAYS, opts.ids ?? null, batch, await systemNote(pool, 'expired')],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) return total;
  }
}

/** Drops stored intake answers older than IDEMPOTENCY_HOURS. */
export async function purgeIdempotencyKeys(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [
    IDEMPOTENCY_HOURS,
  ]);
  return rowCount ?? 0;
}

/**
 * Drops expired sessions and sign-in attempt counters untouched for a day with no lock holding
 * (their window, at most a day, is over: the next attempt would start it again anyway).
 */
export async function purgeSecurityRows(pool: pg.Pool): Promise<number> {
  const sessions = await pool.query('DELETE FROM sessions WHERE expires_at < now()');
  const failures = await pool.query(
    `DELETE FROM sign_in_attempts WHERE last_at < now() - interval '1 day' AND (locked_until IS NULL OR locked_until < now())`,
  );
  return (sessions.rowCount ?? 0) + (failures.rowCount ?? 0);
}

/**
 * Drops recorded tile changes older than an hour: tile caches read only the last seconds of
 * them (server/tiles/cache.ts), and their entries expire within minutes anyway.
 */
export async function purgeTileChanges(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM incident_tile_changes WHERE at < now() - interval '1 hour'`);
  return rowCount ?? 0;
}

/** The periodic work of the lifecycle; failures are logged and retried on the next run. */
export async function runHousekeeping(pool: pg.Pool): Promise<void> {
  try {
    const closed = await closeExpiredResolved(pool);
    const purged = (await purgeIdempotencyKeys(pool)) + (await purgeSecurityRows(pool)) + (await purgeTileChanges(pool));
    if (closed || purged) log.info({ closed, purged }, 'lifecycle housekeeping');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'lifecycle housekeeping failed; will retry');
  }
}
