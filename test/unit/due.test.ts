import { describe, expect, it } from 'vitest';
import { readCityPack } from '../../server/geodata/pack.ts';
import { dueAt, isWorkingDay, localDate, offsetMinutes, type WorkCalendar } from '../../server/deadlines/due.ts';

// Kazakhstan: UTC+5. Nauryz 2026 falls on Saturday 21 – Monday 23 March.
const cal: WorkCalendar = {
  holidays: new Set(['2026-03-21', '2026-03-22', '2026-03-23', '2026-01-01', '2026-01-02']),
  workdays: new Set(),
};
const local = (d: Date) => new Date(d.getTime() + 5 * 3_600_000).toISOString().slice(0, 16);

describe('dueAt', () => {
  it('runs an hour norm on the clock, over nights and weekends', () => {
    const friday = new Date('2026-03-20T16:30:00+05:00');
    expect(dueAt(friday, { hours: 4 }, cal).toISOString()).toBe('2026-03-20T15:30:00.000Z');
    expect(dueAt(friday, { hours: 24 }, cal).toISOString()).toBe(new Date('2026-03-21T16:30:00+05:00').toISOString());
  });

  it('moves a Friday-evening appeal with one working day to Monday 18:00', () => {
    const friday = new Date('2026-11-20T21:45:00+05:00');
    expect(local(dueAt(friday, { workingDays: 1 }, cal))).toBe('2026-11-23T18:00');
  });

  it('skips Nauryz and the weekend', () => {
    const thursday = new Date('2026-03-19T10:00:00+05:00');
    // Fri 20 counts; Sat 21 – Mon 23 are Nauryz and weekend; Tue 24, Wed 25 count.
    expect(local(dueAt(thursday, { workingDays: 3 }, cal))).toBe('2026-03-25T18:00');
  });

  it('gives the legal 15 working days of an ordinary appeal', () => {
    const monday = new Date('2026-03-02T09:00:00+05:00');
    // 15 working days from Tue 3 March: 3–6 (4), 9–13 (9), 16–20 (14), Nauryz 21–23 skipped, 24 (15).
    expect(local(dueAt(monday, { workingDays: 15 }, cal))).toBe('2026-03-24T18:00');
  });

  it('follows the Taraz pack calendar, with its days off in lieu of 8 March and Nauryz 2026', async () => {
    // Days off: 9 March (for Sunday 8 March), 21–23 Nauryz, 24–25 in lieu of Nauryz's weekend days.
    // Working days: 3–6 (4), 10–13 (8), 16–20 (13), 26 (14), 27 (15).
    const pack = await readCityPack('taraz');
    const real: WorkCalendar = {
      holidays: new Set(pack.holidays.filter((h) => h.kind !== 'workday').map((h) => h.date)),
      workdays: new Set(),
    };
    expect(real.holidays.has('2026-03-09')).toBe(true);
    const monday = new Date('2026-03-02T09:00:00+05:00');
    expect(local(dueAt(monday, { workingDays: 15 }, real))).toBe('2026-03-27T18:00');
  });

  it('counts a transferred working day on a weekend', () => {
    const withTransfer: WorkCalendar = { holidays: cal.holidays, workdays: new Set(['2026-11-21']) };
    const friday = new Date('2026-11-20T12:00:00+05:00');
    expect(local(dueAt(friday, { workingDays: 1 }, withTransfer))).toBe('2026-11-21T18:00');
  });

  it('uses the local date of late-evening UTC instants', () => {
    // 20:30 UTC on the 19th is already the 20th in Taraz.
    expect(localDate(new Date('2026-03-19T20:30:00Z'), 300)).toBe('2026-03-20');
    expect(isWorkingDay('2026-03-23', cal)).toBe(false);
    expect(offsetMinutes('+05:00')).toBe(300);
    expect(() => offsetMinutes('5')).toThrow(/offset/);
  });
});
