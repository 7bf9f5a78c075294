/**
 * Local dates and wall-clock times in a city's time zone. A zone is an IANA name
 * ("America/New_York", daylight saving included, rules from Node's Intl data) or, for packs
 * written before zones were used, a fixed offset in minutes east of UTC (Kazakhstan: +300).
 */
export type Zone = string | number;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC that `zone` has at instant `t` (UTC ms). */
export function offsetAt(t: number, zone: Zone): number {
  if (typeof zone === 'number') return zone;
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((wall - Math.floor(t / 1000) * 1000) / 60_000);
}

/** The local calendar date (YYYY-MM-DD) of an instant in `zone`. */
export function localDate(t: Date, zone: Zone): string {
  return new Date(t.getTime() + offsetAt(t.getTime(), zone) * 60_000).toISOString().slice(0, 10);
}

/**
 * The instant when the wall clock in `zone` shows `hour`:00 on local `date`. A time skipped by
 * a spring-forward change is read with the offset before the change (02:30 becomes 03:30).
 */
export function zonedInstant(date: string, hour: number, zone: Zone): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000;
  const first = wall - offsetAt(wall, zone) * 60_000;
  const second = wall - offsetAt(first, zone) * 60_000;
  return new Date(offsetAt(second, zone) === offsetAt(first, zone) ? second : Math.max(first, second));
}
