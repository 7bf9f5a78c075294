import { localDate, zonedInstant, type Zone } from './zone.ts';

export { localDate, type Zone } from './zone.ts';

/**
 * Deadlines of appeals. Pure functions, no clock and no database: the caller passes the
 * calendar (from `calendar_days`) and the city's time zone (IANA name, daylight saving included).
 *
 * - An hour norm runs on the clock: due = created + hours.
 * - A working-day norm counts whole working days from the day after registration (as the
 *   Administrative Procedural Code counts terms), skipping Saturdays, Sundays and holidays
 *   unless a day is a transferred working day; the appeal is due at the end of the working day
 *   (18:00 local time) of the last counted day.
 */
export type Norm = { hours: number } | { workingDays: number };

export interface WorkCalendar {
  /** Local dates (YYYY-MM-DD) that are public holidays. */
  holidays: ReadonlySet<string>;
  /** Local dates (YYYY-MM-DD) that are working days although they fall on a weekend. */
  workdays: ReadonlySet<string>;
}

/** End of the working day, local time. */
export const WORKDAY_END_HOUR = 18;

const DAY_MS = 86_400_000;

/** Kazakhstan's zone: the default of a pack that names none. */
export const DEFAULT_TIME_ZONE = 'Asia/Almaty';

export function isWorkingDay(date: string, cal: WorkCalendar): boolean {
  if (cal.workdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** `zone`: an IANA name, or a fixed offset in minutes east of UTC (old packs' `utcOffset`). */
export function dueAt(created: Date, norm: Norm, cal: WorkCalendar, zone: Zone = DEFAULT_TIME_ZONE): Date {
  if ('hours' in norm) return new Date(created.getTime() + norm.hours * 3_600_000);
  let day = localDate(created, zone);
  let left = norm.workingDays;
  while (left > 0) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    if (isWorkingDay(day, cal)) left--;
  }
  return zonedInstant(day, WORKDAY_END_HOUR, zone);
}

/** Parses "+05:00" into minutes. */
export function offsetMinutes(utcOffset: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(utcOffset);
  if (!m) throw new Error(`Invalid UTC offset "${utcOffset}"`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
