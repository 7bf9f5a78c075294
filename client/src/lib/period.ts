/**
 * Periods as the city counts them: "today" and "the last 7 days" are calendar days in the city's
 * time zone, sent to the API as dates (YYYY-MM-DD), which the server reads in the same zone.
 * `to` is exclusive for the API and inclusive in the interface.
 */
export const PERIODS = ['all', 'today', '7d', '30d', '90d', '365d', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

const DAYS: Partial<Record<Period, number>> = { today: 1, '7d': 7, '30d': 30, '90d': 90, '365d': 365 };

/** Today's date in `timeZone`, YYYY-MM-DD. */
export function cityToday(timeZone: string, now = new Date()): string {
  // en-CA formats dates as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** `ymd` shifted by `days` calendar days. */
export function addDays(ymd: string, days: number): string {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export const isYmd = (s: string | null | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));

export interface Range {
  /** first day, inclusive */
  from: string;
  /** day after the last, exclusive */
  to: string;
}

/**
 * The API range of a period, or null for "all time". `from`/`to` of a custom period are the
 * interface's inclusive dates.
 */
export function periodRange(period: Period, timeZone: string, custom: { from?: string; to?: string } = {}, now = new Date()): Range | null {
  const today = cityToday(timeZone, now);
  if (period === 'custom') {
    const from = isYmd(custom.from) ? custom.from : undefined;
    const to = isYmd(custom.to) ? addDays(custom.to, 1) : undefined;
    if (!from && !to) return null;
    return { from: from ?? '2000-01-01', to: to ?? addDays(today, 1) };
  }
  const days = DAYS[period];
  if (!days) return null;
  return { from: addDays(today, 1 - days), to: addDays(today, 1) };
}

/** The range for charts and period KPIs: the chosen period, or the last 30 days for "all time". */
export function chartRange(period: Period, timeZone: string, custom: { from?: string; to?: string } = {}, now = new Date()): Range {
  return periodRange(period, timeZone, custom, now) ?? (periodRange('30d', timeZone, {}, now) as Range);
}
