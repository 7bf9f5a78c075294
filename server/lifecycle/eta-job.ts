import type pg from 'pg';
import { ACTIVE_STATUSES } from '../domain/statuses.ts';
import { log } from '../log.ts';
import { getDurationSummary } from './durations.ts';
import { etaAtCreation } from './eta.ts';
import type { DurationSummary } from './risk.ts';

/**
 * The ETA job (issue 24, item 5): records the estimate each open appeal was given, settles it
 * when the appeal resolves, and computes the accuracy per category. Run in-process every
 * ETA_EVERY_MS (server/main.ts) and once by `npm run eta:run`.
 */

/** How often server/main.ts runs the job. */
export const ETA_EVERY_MS = 10 * 60_000;
/** The first run after start-up waits this long. */
export const ETA_FIRST_RUN_MS = 60_000;
/** Estimates of appeals resolved in this many past days make the accuracy. */
export const ACCURACY_WINDOW_DAYS = 90;
/** Appeals recorded per statement. */
const BATCH = 2000;

interface Pending {
  id: number;
  category_id: number;
  sphere_id: number | null;
  district_id: number | null;
  created_at: Date;
}

export interface RecordOptions {
  /** Also appeals already resolved, created since this instant (the demo history's back-fill). */
  resolvedSince?: Date;
  /** The durations model to use (default: the shared summary of server/lifecycle/durations.ts). */
  summary?: DurationSummary;
  /** The pool whose shared summary to use when `pool` is a client in a transaction. */
  summaryPool?: pg.Pool;
}

/** A pool, or one client (a test's transaction). */
export type Db = pg.Pool | pg.PoolClient;

/**
 * Records the at-creation ETA (the median time similar appeals took, from the appeal's creation)
 * of every open appeal that has none yet. Appeals without a history to judge by get none.
 * Returns how many were recorded.
 */
export async function recordEtas(pool: Db, opts: RecordOptions = {}): Promise<number> {
  const summary = opts.summary ?? (await getDurationSummary(opts.summaryPool ?? (pool as pg.Pool)));
  let recorded = 0;
  let after = 0;
  for (;;) {
    const { rows } = await pool.query<Pending>(
      `SELECT i.id::int AS id, i.category_id, c.sphere_id, i.district_id, i.created_at
         FROM incidents i JOIN categories c ON c.id = i.category_id
        WHERE i.id > $1 AND NOT EXISTS (SELECT 1 FROM incident_etas e WHERE e.incident_id = i.id)
          AND (i.status = ANY($2::text[])
               OR ($3::timestamptz IS NOT NULL AND i.created_at >= $3 AND i.resolved_at IS NOT NULL
                   AND i.resolution IN ('fixed', 'not_confirmed')))
        ORDER BY i.id LIMIT $4`,
      [after, ACTIVE_STATUSES, opts.resolvedSince ?? null, BATCH],
    );
    if (!rows.length) return recorded;
    after = rows[rows.length - 1].id;
    const ids: number[] = [];
    const categories: number[] = [];
    const etas: string[] = [];
    const bases: string[] = [];
    const ns: number[] = [];
    for (const r of rows) {
      const eta = etaAtCreation(summary, {
        categoryId: r.category_id,
        districtId: r.district_id,
        sphereId: r.sphere_id,
        createdAt: r.created_at,
      });
      if (!eta) continue;
      ids.push(r.id);
      categories.push(r.category_id);
      etas.push(eta.at.toISOString());
      bases.push(eta.basis);
      ns.push(eta.n);
    }
    if (ids.length) {
      const res = await pool.query(
        `INSERT INTO incident_etas (incident_id, category_id, eta_at, basis, sample_n)
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::text[], $5::int[])
         ON CONFLICT (incident_id) DO NOTHING`,
        [ids, categories, etas, bases, ns],
      );
      recorded += res.rowCount ?? 0;
    }
    if (rows.length < BATCH) return recorded;
  }
}

/**
 * Settles the estimates of appeals that have resolved (worked and resolved: fixed or not
 * confirmed): the hours predicted and taken from creation, and the absolute error. Estimates of
 * appeals rejected or answered on the call are dropped (nothing was resolved to judge them by).
 * An appeal reopened after its resolution keeps the first one. Returns how many were settled.
 */
export async function settleEtas(pool: Db): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE incident_etas e
        SET resolved_at = i.resolved_at,
            predicted_h = greatest(0, extract(epoch FROM e.eta_at - i.created_at) / 3600.0),
            actual_h = extract(epoch FROM i.resolved_at - i.created_at) / 3600.0,
            error_h = abs(extract(epoch FROM e.eta_at - i.resolved_at)) / 3600.0
       FROM incidents i
      WHERE i.id = e.incident_id AND e.resolved_at IS NULL
        AND i.resolved_at IS NOT NULL AND i.resolution IN ('fixed', 'not_confirmed')`,
  );
  await pool.query(
    `DELETE FROM incident_etas e USING incidents i
      WHERE i.id = e.incident_id AND e.resolved_at IS NULL AND i.status IN ('rejected', 'closed')`,
  );
  return rowCount ?? 0;
}

/**
 * Recomputes the accuracy per category over the last `windowDays` days of resolutions: mean
 * absolute error (hours) and the share whose error is within 25 % of the time taken. Returns
 * how many categories have figures.
 */
export async function computeEtaAccuracy(db: Db, windowDays = ACCURACY_WINDOW_DAYS): Promise<number> {
  // Two statements, each consistent: readers see the previous figures or the new ones per category.
  const run = new Date().toISOString();
  const { rowCount } = await db.query(
    `INSERT INTO eta_accuracy AS a (category_id, n, mae_h, within25, window_days, computed_at)
     SELECT category_id, count(*)::int, avg(error_h), avg((error_h <= 0.25 * actual_h)::int), $1, $2
       FROM incident_etas
      WHERE resolved_at IS NOT NULL AND resolved_at >= now() - make_interval(days => $1)
      GROUP BY category_id
     ON CONFLICT (category_id) DO UPDATE
       SET n = excluded.n, mae_h = excluded.mae_h, within25 = excluded.within25,
           window_days = excluded.window_days, computed_at = excluded.computed_at`,
    [windowDays, run],
  );
  await db.query('DELETE FROM eta_accuracy WHERE computed_at <> $1', [run]);
  return rowCount ?? 0;
}

export interface EtaRun {
  recorded: number;
  settled: number;
  categories: number;
}

/** One run of the job: record, settle, compute. */
export async function runEtaJob(pool: pg.Pool): Promise<EtaRun> {
  const recorded = await recordEtas(pool);
  const settled = await settleEtas(pool);
  const categories = await computeEtaAccuracy(pool);
  return { recorded, settled, categories };
}

/** The job for the server's timer: never throws. */
export async function runEtaJobQuietly(pool: pg.Pool): Promise<void> {
  try {
    const run = await runEtaJob(pool);
    if (run.recorded || run.settled) log.info(run, 'ETA job');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'ETA job failed');
  }
}
