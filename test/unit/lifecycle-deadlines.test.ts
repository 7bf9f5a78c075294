import { describe, expect, it } from 'vitest';
import { readCityPack } from '../../server/geodata/pack.ts';
import { type CityRules, DEFAULT_NORM, deadline, normOf } from '../../server/lifecycle/calendar.ts';

// The Taraz pack's calendar, as intake loads it from calendar_days. Kazakhstan: UTC+5.
const pack = await readCityPack('taraz');
const rules: CityRules = {
  calendar: {
    holidays: new Set(pack.holidays.filter((h) => h.kind !== 'workday').map((h) => h.date)),
    workdays: new Set(pack.holidays.filter((h) => h.kind === 'workday').map((h) => h.date)),
  },
  zone: 300,
  numberPrefix: '109',
};
const local = (d: Date) => new Date(d.getTime() + 5 * 3_600_000).toISOString().slice(0, 16);
const norm = (hours: number | null, days: number | null) => normOf({ norm_hours: hours, norm_working_days: days });

describe('intake deadlines (category norm × city calendar)', () => {
  it('reads the norm from the category, with the 15 working days of the law when it has none', () => {
    expect(norm(4, null)).toEqual({ hours: 4 });
    expect(norm(null, 10)).toEqual({ workingDays: 10 });
    expect(norm(null, null)).toEqual(DEFAULT_NORM);
    expect(DEFAULT_NORM).toEqual({ workingDays: 15 });
  });

  it('gives a Friday-evening appeal of one working day until Monday 18:00', () => {
    const friday = new Date('2026-11-20T19:40:00+05:00');
    expect(local(deadline(friday, norm(null, 1), rules))).toBe('2026-11-23T18:00');
    // Three working days: Mon, Tue, Wed.
    expect(local(deadline(friday, norm(null, 3), rules))).toBe('2026-11-25T18:00');
  });

  it('skips Nauryz (21–23 March) and its days off in lieu on a Friday-evening appeal', () => {
    // Fri 20 March evening; Sat 21 – Wed 25 are holidays or days off; Thu 26 is the first working day.
    const friday = new Date('2026-03-20T20:15:00+05:00');
    expect(rules.calendar.holidays.has('2026-03-23')).toBe(true);
    expect(local(deadline(friday, norm(null, 1), rules))).toBe('2026-03-26T18:00');
  });

  it('runs an emergency hour norm on the clock, through the night and the holiday', () => {
    const nauryzNight = new Date('2026-03-21T23:30:00+05:00');
    expect(deadline(nauryzNight, norm(4, null), rules).toISOString()).toBe(new Date('2026-03-22T03:30:00+05:00').toISOString());
    const friday = new Date('2026-11-20T21:00:00+05:00');
    expect(local(deadline(friday, norm(2, null), rules))).toBe('2026-11-20T23:00');
  });
});
