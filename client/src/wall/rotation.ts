/**
 * The wall's rotation through the city and its districts, as pure functions of the time: step
 * `index` 0 is the whole city, 1..n the districts in order. Every `periodMs` the next step
 * comes; a new alert moves the wall to the alert's district and holds it there for a while.
 */
export interface Rotation {
  /** 0: the city; i > 0: district i - 1 */
  index: number;
  /** when the current step began (ms since the epoch) */
  startedAt: number;
  /** no step change before this time (an alert is being shown) */
  holdUntil: number;
  /** the alert that holds the rotation, if any */
  alertId: string | null;
}

export const startRotation = (now: number): Rotation => ({ index: 0, startedAt: now, holdUntil: 0, alertId: null });

/** The rotation at `now`: the same, or the next step once the period (and any hold) is over. */
export function advance(r: Rotation, now: number, periodMs: number, steps: number): Rotation {
  if (steps <= 0) return r;
  if (now < r.holdUntil) return r;
  if (r.alertId) return { ...r, alertId: null, holdUntil: 0, startedAt: now };
  if (periodMs <= 0) return r.index === 0 ? r : { ...r, index: 0, startedAt: now };
  if (now - r.startedAt < periodMs) return r;
  return { index: (r.index + 1) % steps, startedAt: now, holdUntil: 0, alertId: null };
}

/**
 * Shows a new alert: its district's step (the city for a city-wide alert or an unknown
 * district), held for `holdMs`. With rotation off the wall stays on the city and only holds.
 */
export function holdForAlert(
  r: Rotation,
  alert: { id: string; district: string | null },
  districtCodes: readonly string[],
  now: number,
  holdMs: number,
  rotating: boolean,
): Rotation {
  const i = alert.district ? districtCodes.indexOf(alert.district) : -1;
  const index = rotating ? i + 1 : r.index;
  return { index, startedAt: now, holdUntil: now + holdMs, alertId: alert.id };
}

/** Alerts in `next` that were not in `known` (ids), most urgent first as the server ranks them. */
export function newAlerts<T extends { id: string }>(known: ReadonlySet<string>, next: readonly T[]): T[] {
  return next.filter((a) => !known.has(a.id));
}

/** `?rotate=` in seconds: 30 when missing or unreadable, 0 turns rotation off, at least 5 otherwise. */
export function rotationPeriodMs(param: string | null): number {
  if (param === null || param.trim() === '') return 30_000;
  const s = Number(param);
  if (!Number.isFinite(s) || s < 0) return 30_000;
  if (s === 0) return 0;
  return Math.max(5, Math.min(s, 3600)) * 1000;
}

/**
 * What a rotation step shows (issue 18): 0 the city, 1..n the districts, and with `coordination`
 * one more step after them — the coordination page (appeals held up by a service, overdue work
 * orders per service) over the city's map. `steps` for advance() is `stepCount(n, coordination)`.
 */
export type StepKind = { kind: 'city' } | { kind: 'district'; i: number } | { kind: 'coordination' };

export const stepCount = (districts: number, coordination: boolean): number => districts + 1 + (coordination ? 1 : 0);

export function stepKind(index: number, districts: number, coordination: boolean): StepKind {
  if (index <= 0) return { kind: 'city' };
  if (index <= districts) return { kind: 'district', i: index - 1 };
  return coordination && index === districts + 1 ? { kind: 'coordination' } : { kind: 'city' };
}
