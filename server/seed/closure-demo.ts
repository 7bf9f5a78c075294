import type pg from 'pg';
import { computeEtaAccuracy, recordEtas, settleEtas } from '../lifecycle/eta-job.ts';

/** The demo back-fills estimates for appeals created in this many past days. */
const ETA_DAYS = 120;

/**
 * The demo history's verified-closure and ETA figures (issue 24), so that the officials' page
 * and the portal are not empty on a fresh demo:
 * - a share of resolutions carries a photo (event data `photo_url`: a demo marker, not a file),
 *   varying by service, deterministically;
 * - each appeal of the last ETA_DAYS days gets the estimate it would have been given at creation
 *   (from the durations model over the whole demo history, itself included: a demo, not a test),
 *   settled where it resolved, and the accuracy per category is computed as the job does.
 */
export async function seedClosureDemo(pool: pg.Pool): Promise<{ proofs: number; etas: number; categories: number }> {
  const proofs = await pool.query(
    `UPDATE incident_events ev
        SET data = coalesce(ev.data, '{}'::jsonb) || '{"photo_url": "demo:resolution-photo"}'::jsonb
       FROM incidents i
      WHERE i.id = ev.incident_id AND ev.action = 'transition' AND ev.to_status = 'resolved'
        AND mod(ev.id * 7919 + coalesce(i.service_id, 0) * 104729, 100) < 35 + mod(coalesce(i.service_id, 0) * 17, 55)`,
  );
  const etas = await recordEtas(pool, { resolvedSince: new Date(Date.now() - ETA_DAYS * 86_400_000) });
  await settleEtas(pool);
  const categories = await computeEtaAccuracy(pool);
  return { proofs: proofs.rowCount ?? 0, etas, categories };
}
