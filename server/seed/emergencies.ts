import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';

/** Receiving operators of the demo's hand-overs: made-up staff names (demo data). */
const DEMO_OPERATORS = ['Смагулова А. (демо)', 'Жуматаев Е. (демо)'];

/**
 * Demo of emergencies' first measures: the two newest open emergency appeals with a checklist get
 * their first measures ticked by the demo dispatcher and a hand-over (to 104 gas or 112); every
 * emergency of the demo history is then acknowledged, so that the wall starts free and is held
 * only by emergencies registered while the demo runs. Runs once (a hand-over marks it done).
 */
export async function seedEmergencyDemo(pool: pg.Pool): Promise<void> {
  await withTransaction(pool, async (db) => {
    const { rows: done } = await db.query('SELECT 1 FROM incident_handovers LIMIT 1');
    if (done.length) return;
    const { rows: users } = await db.query<{ id: number }>(`SELECT id FROM users WHERE login = 'dispatcher'`);
    const actor = users[0]?.id ?? null;
    const { rows: picks } = await db.query<{ id: number; created_at: Date; category_id: number }>(
      `SELECT DISTINCT ON (f.category_id) i.id, i.created_at, f.category_id
         FROM incidents i JOIN categories c ON c.id = i.category_id
         JOIN first_measures f ON f.category_id IN (c.id, c.parent_id) AND f.handover IS NOT NULL
        WHERE i.is_open AND c.emergency AND i.parent_id IS NULL
        ORDER BY f.category_id, i.created_at DESC`,
    );
    picks.sort((a, b) => +b.created_at - +a.created_at);
    for (const [n, p] of picks.slice(0, 2).entries()) {
      const { rows: measures } = await db.query<{ code: string; handover: string | null }>(
        'SELECT code, handover FROM first_measures WHERE category_id = $1 ORDER BY sort',
        [p.category_id],
      );
      // Minutes after registration: measures 3, 6, 9 ... minutes in, as a dispatcher ticks them on the call.
      const at = (k: number) => new Date(Math.min(Date.now() - 60_000, +p.created_at + (k + 1) * 180_000));
      for (const [k, m] of measures.entries()) {
        if (m.handover) {
          const { rows: h } = await db.query<{ id: string }>(
            `INSERT INTO incident_handovers (incident_id, service, operator, handed_at, by_user) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
            [p.id, m.handover, DEMO_OPERATORS[n], at(k), actor],
          );
          await db.query(
            `INSERT INTO incident_events (incident_id, actor_id, action, data, visibility, at) VALUES ($1, $2, 'handed_over', $3, 'internal', $4)`,
            [p.id, actor, { service: m.handover, handover_id: Number(h[0].id), measure: m.code, at: at(k).toISOString() }, at(k)],
          );
        } else if (k >= 3) continue;
        await db.query('INSERT INTO incident_measures (incident_id, measure, done_at, done_by) VALUES ($1, $2, $3, $4)', [
          p.id,
          m.code,
          at(k),
          actor,
        ]);
        if (!m.handover) {
          await db.query(
            `INSERT INTO incident_events (incident_id, actor_id, action, data, visibility, at) VALUES ($1, $2, 'measure_done', $3, 'internal', $4)`,
            [p.id, actor, { measure: m.code, at: at(k).toISOString() }, at(k)],
          );
        }
      }
    }
    await db.query(
      `INSERT INTO emergency_acks (incident_id, acked_at, acked_by)
       SELECT i.id, least(now(), i.created_at + interval '2 minutes'), $1 FROM incidents i JOIN categories c ON c.id = i.category_id
        WHERE c.emergency ON CONFLICT DO NOTHING`,
      [actor],
    );
  });
}
