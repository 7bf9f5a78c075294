import type pg from 'pg';
import { cachedPerPool } from '../cache.ts';
import { onCatalogueChange, syncCatalogue } from '../catalogue/version.ts';
import { dueAt, type Norm, type WorkCalendar } from '../deadlines/due.ts';
import { cityZone } from '../geodata/city-zone.ts';
import type { Zone } from '../deadlines/zone.ts';

/**
 * What intake needs from the city, cached in memory for a short while like the catalog: the
 * working calendar (calendar_days, which the city edits: a change is seen within TTL_MS), its
 * time zone and the prefix of public numbers.
 */
export interface CityRules {
  calendar: WorkCalendar;
  /** IANA zone of the city (or a fixed offset in minutes from an old pack's utcOffset). */
  zone: Zone;
  /** "109" in 109-2026-000123. */
  numberPrefix: string;
}

const TTL_MS = 30_000;

async function loadCityRules(pool: pg.Pool): Promise<CityRules> {
  const [days, city] = await Promise.all([
    pool.query<{ day: string; kind: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM calendar_days`),
    pool.query<{ value: Record<string, unknown> | null; prefix: string | null }>(
      `SELECT value, value->>'numberPrefix' AS prefix FROM city_settings WHERE key = 'city'`,
    ),
  ]);
  return {
    calendar: {
      holidays: new Set(days.rows.filter((d) => d.kind === 'holiday').map((d) => d.day)),
      workdays: new Set(days.rows.filter((d) => d.kind === 'workday').map((d) => d.day)),
    },
    zone: cityZone(city.rows[0]?.value ?? {}),
    numberPrefix: city.rows[0]?.prefix ?? '109',
  };
}

const cache = cachedPerPool(TTL_MS, loadCityRules);

/** The rules, never older than the catalogue's last edit (the holidays are edited in /admin). */
export async function getCityRules(pool: pg.Pool): Promise<CityRules> {
  await syncCatalogue(pool);
  return cache.get(pool);
}
onCatalogueChange((pool: pg.Pool) => cache.invalidate(pool));

/** The Administrative Procedural Code's term for an appeal, used when a category has no norm. */
export const DEFAULT_NORM: Norm = { workingDays: 15 };

/** A category's norm from its columns (hours on the clock, or working days). */
export function normOf(c: { norm_hours: number | null; norm_working_days: number | null }): Norm {
  if (c.norm_hours) return { hours: c.norm_hours };
  if (c.norm_working_days) return { workingDays: c.norm_working_days };
  return DEFAULT_NORM;
}

/** The deadline of an appeal registered at `created` under `norm`, in this city's calendar. */
export function deadline(created: Date, norm: Norm, rules: CityRules): Date {
  return dueAt(created, norm, rules.calendar, rules.zone);
}
