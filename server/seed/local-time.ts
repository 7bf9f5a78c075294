/**
 * Local time of the demo history in the city's zone, per instant: an IANA zone (New York's
 * daylight saving included) or an old pack's fixed offset. A demo appeal registered at 10:00
 * local in January and in July is 10:00 on the city's clocks both times, not 10:00 of today's
 * offset.
 */
import { isWorkingDay, localDate, type WorkCalendar } from '../deadlines/due.ts';
import { offsetAt, zonedInstant, type Zone } from '../deadlines/zone.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The calendar date after `date` (YYYY-MM-DD). */
export function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
}

/** UTC ms of local midnight starting `date` and of the next one (23 or 25 h apart on a change of clocks). */
export function dayBounds(date: string, zone: Zone): { start: number; end: number } {
  return { start: zonedInstant(date, 0, zone).getTime(), end: zonedInstant(nextDate(date), 0, zone).getTime() };
}

/** The hour on the city's clocks (fractional, 0–24) of instant `t` on local `date`. */
export function wallHour(t: number, date: string, zone: Zone): number {
  return (t + offsetAt(t, zone) * MIN - Date.parse(`${date}T00:00:00Z`)) / HOUR;
}

/** The instant when the city's clocks show `hour` (fractional) on local `date`. */
export function atWallHour(date: string, hour: number, zone: Zone): number {
  return zonedInstant(date, hour, zone).getTime();
}

/** 09:00–18:00 local on a working day. */
export function officeHours(t: number, cal: WorkCalendar, zone: Zone): boolean {
  const date = localDate(new Date(t), zone);
  const hour = wallHour(t, date, zone);
  return hour >= 9 && hour < 18 && isWorkingDay(date, cal);
}

/** The next 09:00 local of a working day after t (t itself if already in office hours). */
export function nextOfficeMorning(t: number, cal: WorkCalendar, zone: Zone): number {
  if (officeHours(t, cal, zone)) return t;
  let date = localDate(new Date(t), zone);
  if (wallHour(t, date, zone) >= 9) date = nextDate(date);
  for (let i = 0; i < 30; i++, date = nextDate(date)) {
    if (isWorkingDay(date, cal)) return atWallHour(date, 9, zone);
  }
  return t;
}
