import type pg from 'pg';

/**
 * The SMS of an appeal as staff with personal-data rights see them on the appeal: to whom,
 * which text, and how far it got. Never on a public surface (the phone is personal data).
 */
export async function smsOfIncident(pool: pg.Pool, incidentId: number) {
  const { rows } = await pool.query(
    `SELECT id, kind, status_to, phone, lang, state, attempts, segments, error, created_at, next_attempt_at, sent_at, done_at
       FROM sms_outbox WHERE incident_id = $1 ORDER BY id`,
    [incidentId],
  );
  return rows;
}
