import type pg from 'pg';
import { ACTIVE_STATUSES } from '../domain/statuses.ts';

export interface Dispute {
  /** When the citizen disputed the resolution (the reopening). */
  at: string;
  /** How: the feedback link, or staff taking the citizen's call. */
  via: 'feedback_link' | 'staff';
  /** The citizen's words (the link's comment, or the note staff typed); null for readers without personal-data scope. */
  text: string | null;
  /** The rating given with the dispute, if any. */
  rating: number | null;
}

/**
 * The dispute an open appeal is being worked on again for: its latest reopening not followed by
 * a new resolution, with the citizen's comment. The appeal panel shows it first, so that the
 * service it went back to reads why before anything else. Null when there is none.
 */
export async function openDispute(pool: pg.Pool, id: number, withText: boolean): Promise<Dispute | null> {
  const { rows } = await pool.query<{ at: Date; by_staff: boolean; note: string | null; comment: string | null; rating: number | null }>(
    `SELECT ev.at, ev.actor_id IS NOT NULL AS by_staff, ev.note, f.comment, f.rating
       FROM incident_events ev JOIN incidents i ON i.id = ev.incident_id
       LEFT JOIN LATERAL (
         SELECT comment, rating FROM incident_feedback f
          WHERE f.incident_id = ev.incident_id AND f.disputed AND f.at BETWEEN ev.at - interval '1 minute' AND ev.at + interval '1 minute'
          ORDER BY f.id DESC LIMIT 1) f ON true
      WHERE ev.incident_id = $1 AND ev.to_status = 'reopened' AND i.status = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM incident_events r WHERE r.incident_id = ev.incident_id AND r.to_status = 'resolved' AND r.id > ev.id)
      ORDER BY ev.id DESC LIMIT 1`,
    [id, ACTIVE_STATUSES],
  );
  const r = rows[0];
  if (!r) return null;
  const text = r.by_staff ? (r.note ?? r.comment) : r.comment;
  return { at: r.at.toISOString(), via: r.by_staff ? 'staff' : 'feedback_link', text: withText ? text : null, rating: r.rating };
}
