import { describe, expect, it } from 'vitest';
import { dueAt, localDate, type WorkCalendar } from '../../server/deadlines/due.ts';
import { cityZone } from '../../server/geodata/city-zone.ts';

/**
 * Issue 21: deadlines in the city's IANA zone, daylight saving included. New York springs
 * forward on 8 March 2026 (EST −05:00 → EDT −04:00) and falls back on 1 November 2026.
 */
const NY = 'America/New_York';
const none: WorkCalendar = { holidays: new Set(), workdays: new Set() };

describe('deadlines in a zone with daylight saving', () => {
  it('ends a working-day term at 18:00 New York time after the spring change', () => {
    // Friday 6 March 10:00 EST → Monday 9 March 18:00 EDT = 22:00 UTC.
    expect(dueAt(new Date('2026-03-06T15:00:00Z'), { workingDays: 1 }, none, NY).toISOString()).toBe('2026-03-09T22:00:00.000Z');
    // Three working days: Wednesday 11 March 18:00 EDT.
    expect(dueAt(new Date('2026-03-06T15:00:00Z'), { workingDays: 3 }, none, NY).toISOString()).toBe('2026-03-11T22:00:00.000Z');
  });

  it('ends a working-day term at 18:00 New York time after the autumn change', () => {
    // Friday 30 October 12:00 EDT → Monday 2 November 18:00 EST = 23:00 UTC.
    expect(dueAt(new Date('2026-10-30T16:00:00Z'), { workingDays: 1 }, none, NY).toISOString()).toBe('2026-11-02T23:00:00.000Z');
  });

  it('takes the registration day in New York, not in UTC', () => {
    // Friday 6 March 23:30 EST is Saturday 04:30 UTC: still a Friday appeal.
    expect(localDate(new Date('2026-03-07T04:30:00Z'), NY)).toBe('2026-03-06');
    expect(dueAt(new Date('2026-03-07T04:30:00Z'), { workingDays: 1 }, none, NY).toISOString()).toBe('2026-03-09T22:00:00.000Z');
    // Saturday 31 October 23:30 EDT: next working day Monday 2 November (EST).
    expect(localDate(new Date('2026-11-01T03:30:00Z'), NY)).toBe('2026-10-31');
  });

  it('runs an hour norm on the clock through the change (8 hours are 8 hours)', () => {
    // Saturday 7 March 22:00 EST + 8 h = Sunday 8 March 07:00 EDT (the 02:00–03:00 hour does not exist).
    expect(dueAt(new Date('2026-03-08T03:00:00Z'), { hours: 8 }, none, NY).toISOString()).toBe('2026-03-08T11:00:00.000Z');
  });

  it('keeps Kazakhstan’s deadlines, and reads an old pack’s fixed utcOffset', () => {
    const friday = new Date('2026-11-20T21:45:00+05:00');
    const expected = '2026-11-23T13:00:00.000Z'; // Monday 18:00 at +05:00
    expect(dueAt(friday, { workingDays: 1 }, none, 'Asia/Almaty').toISOString()).toBe(expected);
    expect(dueAt(friday, { workingDays: 1 }, none, cityZone({ utcOffset: '+05:00' })).toISOString()).toBe(expected);
    expect(cityZone({ timeZone: NY, utcOffset: '+05:00' })).toBe(NY);
    expect(cityZone({ timezone: 'Asia/Almaty' })).toBe('Asia/Almaty');
  });
});
