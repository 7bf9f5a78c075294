/**
 * Quiet hours: a window of the city's local day ("22:00-08:00" may cross midnight) in which
 * non-urgent SMS wait. Pure: the city's UTC offset in minutes (Kazakhstan +300) is given.
 */
export interface QuietHours {
  /** Minutes after local midnight. */
  from: number;
  to: number;
}

/** "22:00-08:00" → the window; "" or "off" → null. Throws on anything else. */
export function parseQuietHours(s: string): QuietHours | null {
  const v = s.trim().toLowerCase();
  if (!v || v === 'off') return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  if (!m) throw new Error(`quiet hours "${s}": expected HH:MM-HH:MM`);
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  return from === to ? null : { from, to };
}

/** Whether `at` falls in the window, in the city's local time. */
export function isQuiet(q: QuietHours | null, at: Date, offsetMin: number): boolean {
  if (!q) return false;
  const local = (((at.getTime() / 60_000 + offsetMin) % 1440) + 1440) % 1440;
  return q.from < q.to ? local >= q.from && local < q.to : local >= q.from || local < q.to;
}
