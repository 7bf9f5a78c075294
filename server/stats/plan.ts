/**
 * How a period of whole city days is read from the rollup: full calendar months from the
 * monthly rows, the days before the first and after the last full month from the daily rows.
 * Dates are 'YYYY-MM-DD' city days; ranges are half-open [start, end).
 */

export interface DayPlan {
  /** [first month, month after the last] of monthly rows, or null. */
  months: [string, string] | null;
  /** Ranges of daily rows. */
  days: [string, string][];
}

const toDate = (d: string) => new Date(`${d}T00:00:00Z`);
const fmt = (d: Date) => d.toISOString().slice(0, 10);

/** The first day of the month of `d`, or of the next month when `d` is not a first. */
export function monthStart(d: string, roundUp: boolean): string {
  const t = toDate(d);
  if (t.getUTCDate() === 1 || !roundUp) return fmt(new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)));
  return fmt(new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)));
}

/**
 * Splits the days [d1, d2) into monthly and daily ranges. `monthly` false (for a series by
 * day or by week, whose buckets cut across months) reads daily rows only.
 */
export function planDays(d1: string, d2: string, monthly: boolean): DayPlan {
  if (d1 >= d2) return { months: null, days: [] };
  if (!monthly) return { months: null, days: [[d1, d2]] };
  const m1 = monthStart(d1, true);
  const m2 = monthStart(d2, false);
  if (m1 >= m2) return { months: null, days: [[d1, d2]] };
  const days: [string, string][] = [];
  if (d1 < m1) days.push([d1, m1]);
  if (m2 < d2) days.push([m2, d2]);
  return { months: [m1, m2], days };
}
