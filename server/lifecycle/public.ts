import type pg from 'pg';
import { z } from 'zod';

/** A public number as incident_number() makes it: 109-2026-000123. */
export const NumberParam = z.object({
  number: z.string().regex(/^[A-Za-z0-9]{1,16}-\d{4}-\d{6,12}$/, 'expected a number like 109-2026-000123'),
});

const names = (a: string) => `json_build_object('kk', ${a}.name_kk, 'ru', ${a}.name_ru, 'en', ${a}.name_en)`;

/**
 * What anyone may know about an appeal by its number: status, category, district, dates, the
 * resolution and its note, and the appeal it was merged into. No reporter, no staff, no other
 * notes.
 */
export async function publicStatus(pool: pg.Pool, number: string) {
  const { rows } = await pool.query(
    `SELECT i.number, i.type, json_build_object('code', c.code, 'name', ${names('c')}) AS category,
            CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('code', d.code, 'name', ${names('d')}) END AS district,
            i.status, i.resolution,
            CASE WHEN i.status IN ('resolved', 'closed') THEN
              (SELECT e.note FROM incident_events e WHERE e.incident_id = i.id AND e.to_status IN ('resolved', 'closed')
                  AND e.action = 'transition' AND e.from_status IN ('in_progress', 'new') ORDER BY e.id DESC LIMIT 1)
            END AS resolution_note,
            p.number AS merged_into, i.created_at, i.due_at, i.resolved_at, i.closed_at, i.rating
       FROM incidents i JOIN categories c ON c.id = i.category_id
       LEFT JOIN districts d ON d.id = i.district_id
       LEFT JOIN incidents p ON p.id = i.parent_id
      WHERE i.number = $1`,
    [number],
  );
  return rows[0] ?? null;
}
