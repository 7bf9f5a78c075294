/**
 * The outage register's form (views/Outages.svelte) without the page: the city's wall-clock
 * times of its datetime fields ↔ ISO instants, and the drawn outline as a GeoJSON Polygon.
 * Coordinates are [lng, lat] in degrees (EPSG:4326).
 */
import type { Polygon } from 'geojson';

/** The wall-clock fields of `date` in `timeZone`. */
function wallClock(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute') };
}

/** An instant as a `datetime-local` field shows it in the city's time zone: `YYYY-MM-DDTHH:mm`. */
export function toCityLocal(iso: string | Date, timeZone: string): string {
  const w = wallClock(typeof iso === 'string' ? new Date(iso) : iso, timeZone);
  return `${w.y}-${w.m}-${w.d}T${w.h}:${w.min}`;
}

/** A `datetime-local` value read as the city's wall clock → an ISO instant (UTC); null when not a time. */
export function fromCityLocal(value: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  // The zone's offset at that moment, found by reading the guess back on the city's clock (twice:
  // the first guess may sit on the other side of a clock change).
  let t = asUtc;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(t), timeZone);
    const shown = Date.UTC(+w.y, +w.m - 1, +w.d, +w.h, +w.min);
    t += asUtc - shown;
  }
  return new Date(t).toISOString();
}

/** The drawn vertices as a closed Polygon; null with fewer than three. */
export function ringPolygon(vertices: readonly [number, number][]): Polygon | null {
  if (vertices.length < 3) return null;
  return { type: 'Polygon', coordinates: [[...vertices.map((v) => [v[0], v[1]]), [vertices[0][0], vertices[0][1]]]] };
}
