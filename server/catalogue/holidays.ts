import type pg from 'pg';
import { notFound } from '../errors.ts';
import { inChange, type Editor } from './change.ts';
import type { HolidayRow } from './queries.ts';

const holidayAt = async (db: Pick<pg.Pool, 'query'>, date: string): Promise<HolidayRow | undefined> =>
  (
    await db.query<HolidayRow>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, kind, json_build_object('kk', name_kk, 'ru', name_ru, 'en', name_en) AS name
         FROM calendar_days WHERE day = $1::date`,
      [date],
    )
  ).rows[0];

/**
 * Sets a day of the working calendar: a holiday (a day off) or a workday (a weekend day worked).
 * Deadlines already set on appeals stay as they are; new appeals count with the new calendar.
 */
export async function putHoliday(
  pool: pg.Pool,
  editor: Editor,
  date: string,
  input: { kind: 'holiday' | 'workday'; name?: { kk?: string; ru?: string; en?: string } },
): Promise<HolidayRow> {
  return inChange(pool, editor, async (tx) => {
    const before = await holidayAt(tx.db, date);
    await tx.db.query(
      `INSERT INTO calendar_days (day, kind, name_kk, name_ru, name_en) VALUES ($1::date, $2, $3, $4, $5)
       ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name_kk = EXCLUDED.name_kk, name_ru = EXCLUDED.name_ru, name_en = EXCLUDED.name_en`,
      [date, input.kind, input.name?.kk || null, input.name?.ru || null, input.name?.en || null],
    );
    const after = (await holidayAt(tx.db, date))!;
    await tx.log('holiday', date, before ? 'update' : 'create', before, after);
    return after;
  });
}

export async function deleteHoliday(pool: pg.Pool, editor: Editor, date: string): Promise<void> {
  await inChange(pool, editor, async (tx) => {
    const before = await holidayAt(tx.db, date);
    if (!before) throw notFound('Calendar day');
    await tx.db.query('DELETE FROM calendar_days WHERE day = $1::date', [date]);
    await tx.log('holiday', date, 'delete', before, undefined);
  });
}
