import type pg from 'pg';
import { packProofRules, proofRuleFor } from '../field/proof.ts';

/**
 * Demo proof of work (issue 24): most demo appeals resolved as fixed in categories that ask for
 * a photo get a field resolution check, as if resolved from /field — mostly on the spot (5–80 m
 * away), a few far away (0.4–2 km: flagged `far`) and a few with a photo older than the appeal
 * (`photo_before_appeal`). Deterministic (by appeal id), so demo figures are stable. The demo has
 * no photo files: checks list no photos (`photo_ids` empty).
 */
export async function seedFieldProof(pool: pg.Pool, city: string): Promise<number> {
  const rules = packProofRules(city);
  const { rows: cats } = await pool.query<{ id: number; code: string }>('SELECT id, code FROM categories');
  const asked = cats.map((c) => ({ id: c.id, rule: proofRuleFor(rules, c.code) })).filter((c) => c.rule.after);
  const { rowCount } = await pool.query(
    `WITH rule(category_id, far_m) AS (SELECT * FROM unnest($1::int[], $2::int[])),
     picked AS (
       SELECT i.id, i.geom, i.resolved_at, r.far_m, (i.id * 2654435761) % 1000 AS h
         FROM incidents i JOIN rule r ON r.category_id = i.category_id
        WHERE i.resolved_at IS NOT NULL AND i.resolution = 'fixed'
          AND NOT EXISTS (SELECT 1 FROM incident_resolution_checks c WHERE c.incident_id = i.id)),
     placed AS (
       -- 70 % resolved from the field; of those ~9 % far away, ~3 % with a photo older than the appeal.
       SELECT id, resolved_at, far_m, h,
              CASE WHEN h < 60 THEN 400 + h * 27 ELSE 5 + (h % 76) END AS metres, geom
         FROM picked WHERE h < 700),
     moved AS (
       SELECT id, resolved_at, far_m, h, ST_Translate(geom, metres / (111320 * cos(radians(ST_Y(geom)))), 0) AS position, geom
         FROM placed)
     INSERT INTO incident_resolution_checks (incident_id, event_id, acted_at, received_at, position, distance_m, far_m, flags)
     SELECT m.id,
            (SELECT max(e.id) FROM incident_events e WHERE e.incident_id = m.id AND e.to_status = 'resolved'),
            m.resolved_at, m.resolved_at, m.position, ST_Distance(m.geom::geography, m.position::geography), m.far_m,
            array_remove(ARRAY[
              CASE WHEN ST_Distance(m.geom::geography, m.position::geography) > m.far_m THEN 'far' END,
              CASE WHEN m.h BETWEEN 680 AND 699 THEN 'photo_before_appeal' END], NULL)
       FROM moved m`,
    [asked.map((c) => c.id), asked.map((c) => c.rule.farM)],
  );
  return rowCount ?? 0;
}
