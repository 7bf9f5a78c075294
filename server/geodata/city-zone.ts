import { DEFAULT_TIME_ZONE, offsetMinutes } from '../deadlines/due.ts';
import type { Zone } from '../deadlines/zone.ts';

/**
 * The zone of a city's settings (city.json as stored in city_settings): the IANA `timeZone`
 * (`timezone` in packs of before issue 21), else an old pack's fixed `utcOffset`, else
 * Kazakhstan's zone.
 */
export function cityZone(city: { timeZone?: unknown; timezone?: unknown; utcOffset?: unknown }): Zone {
  const name = city.timeZone ?? city.timezone;
  if (typeof name === 'string' && name) return name;
  if (typeof city.utcOffset === 'string') return offsetMinutes(city.utcOffset);
  return DEFAULT_TIME_ZONE;
}
