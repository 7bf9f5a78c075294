import type pg from 'pg';
import { z } from 'zod';
import { badRequest } from '../errors.ts';
import { redact } from '../privacy/redact.ts';
import { PUBLIC_NOTE_SQL } from '../privacy/visibility.ts';
import { sha256, TOKEN_PATTERN } from './tokens.ts';
import { namesSql } from '../db/sql.ts';

/** A public number as incident_number() makes it: 109-2026-000123. */
export const NumberParam = z.object({
  number: z.string().regex(/^[A-Za-z0-9]{1,16}-\d{4}-\d{6,12}$/, 'expected a number like 109-2026-000123'),
});

/**
 * The second factor of a status look-up: the last four digits of the phone the appeal was
 * registered with, or the citizen's own link token (the part after /feedback/ in their link).
 */
export const StatusFactorQuery = z.object({
  phone4: z
    .string()
    .regex(/^\d{4}$/, 'the last four digits of your phone')
    .optional(),
  token: z.string().regex(TOKEN_PATTERN, 'the code from your link').optional(),
});
export type StatusFactor = z.infer<typeof StatusFactorQuery>;

/** 400 when the look-up carries no second factor: a number alone opens nothing. */
export function requireFactor(f: StatusFactor): asserts f is StatusFactor & ({ phone4: string } | { token: string }) {
  if (f.phone4 === undefined && f.token === undefined) {
    throw badRequest(
      'Give the last four digits of the phone the appeal was registered with (?phone4=) or the code of your link (?token=): a number alone is not enough.',
      [
        { path: 'phone4', message: 'required unless token is given' },
        { path: 'token', message: 'required unless phone4 is given' },
      ],
    );
  }
}

/**
 * What the citizen who filed an appeal may know about it: status, category, district, the
 * responsible service, dates and deadline, the public timeline (each status change with its
 * time and its note when written for the citizen, redacted), the resolution and its note, and the appeal it was
 * merged into. Found only with a second factor: a phone of a reporter of the appeal (or of a
 * duplicate merged into it) ending in `phone4`, or a link issued for it (or for the appeal it
 * was merged into). Null when the number and the factor do not match (no hint which).
 */
export async function publicStatus(pool: pg.Pool, number: string, factor: StatusFactor) {
  const { rows } = await pool.query(
    `SELECT i.number, i.type, json_build_object('code', c.code, 'name', ${namesSql('c')}) AS category,
            CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('code', d.code, 'name', ${namesSql('d')}) END AS district,
            CASE WHEN sv.id IS NULL THEN NULL ELSE json_build_object('code', sv.code, 'name', ${namesSql('sv')}) END AS service,
            i.status, i.resolution,
            CASE WHEN i.status IN ('resolved', 'closed') THEN
              (SELECT ${PUBLIC_NOTE_SQL} FROM incident_events e WHERE e.incident_id = i.id AND e.to_status IN ('resolved', 'closed')
                  AND e.action = 'transition' AND e.from_status IN ('in_progress', 'new') ORDER BY e.id DESC LIMIT 1)
            END AS resolution_note,
            p.number AS merged_into, i.created_at, i.due_at, i.resolved_at, i.closed_at, i.rating,
            (SELECT coalesce(json_agg(json_build_object('at', e.at, 'status', e.to_status, 'note', ${PUBLIC_NOTE_SQL}) ORDER BY e.id), '[]')
               FROM incident_events e WHERE e.incident_id = i.id AND e.action IN ('created', 'transition') AND e.to_status IS NOT NULL) AS timeline
       FROM incidents i JOIN categories c ON c.id = i.category_id
       LEFT JOIN districts d ON d.id = i.district_id
       LEFT JOIN services sv ON sv.id = i.service_id
       LEFT JOIN incidents p ON p.id = i.parent_id
      WHERE i.number = $1
        AND (($2::text IS NOT NULL AND EXISTS (
               SELECT 1 FROM incident_reporters r
                WHERE (r.incident_id = i.id OR r.incident_id IN (SELECT ch.id FROM incidents ch WHERE ch.parent_id = i.id))
                  AND length(regexp_replace(r.phone, '[^0-9]', '', 'g')) >= 4
                  AND right(regexp_replace(r.phone, '[^0-9]', '', 'g'), 4) = $2))
          OR ($3::text IS NOT NULL AND EXISTS (
               SELECT 1 FROM incident_feedback_tokens t WHERE t.token_hash = $3 AND t.incident_id IN (i.id, i.parent_id))))`,
    [number, factor.phone4 ?? null, factor.token === undefined ? null : sha256(factor.token)],
  );
  const row = rows[0];
  if (!row) return null;
  const timeline = (row.timeline as { at: string; status: string; note: string | null }[]).map((e) => ({ ...e, note: redact(e.note) }));
  return { ...row, resolution_note: redact(row.resolution_note), timeline };
}

/**
 * The status of an appeal for a messenger chat: only appeals this messenger user filed (or
 * whose duplicates they filed) are answered, so a chat cannot look up other people's numbers.
 */
export async function chatStatus(pool: pg.Pool, number: string, channel: string, userId: string) {
  const { rows } = await pool.query<{ number: string; status: string }>(
    `SELECT i.number, i.status FROM incidents i
      WHERE i.number = $1
        AND EXISTS (SELECT 1 FROM channel_contacts cc
                     WHERE cc.channel = $2 AND cc.user_id = $3
                       AND (cc.incident_id = i.id OR cc.incident_id IN (SELECT ch.id FROM incidents ch WHERE ch.parent_id = i.id)))`,
    [number, channel, userId],
  );
  return rows[0] ?? null;
}
