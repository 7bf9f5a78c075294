/**
 * Expected resolution time (ETA) of an open appeal, from the same duration quantiles as the
 * deadline risk (risk.ts). Pure.
 *
 * With D the time to resolve (hours from creation) and the appeal still open after e hours, the
 * ETA is the median of D given D > e: the x with S(x) = S(e) / 2, read off the quantiles by
 * linear interpolation. At creation (e = 0) it is the median time similar appeals took. An
 * appeal already open longer than any similar one took has no ETA (the history cannot say).
 */
import { type Basis, type DurationSummary, pickSample, survival } from './risk.ts';

/** The value at quantile level `p` (0–1) of quantiles taken at LEVELS. */
export function quantileAt(q: readonly number[], p: number): number {
  const last = q.length - 1;
  const pos = Math.min(last, Math.max(0, p * last));
  const lo = Math.floor(pos);
  if (lo >= last) return q[last];
  return q[lo] + (q[lo + 1] - q[lo]) * (pos - lo);
}

/** Hours from creation by which an appeal open for `elapsedH` hours is expected resolved (≥ elapsedH), or null. */
export function expectedHours(q: readonly number[], elapsedH: number): number | null {
  const e = Math.max(0, elapsedH);
  const se = survival(q, e);
  if (se <= 0) return null;
  return Math.max(e, quantileAt(q, 1 - se / 2));
}

export interface Eta {
  /** When the appeal is expected to be resolved (ISO 8601, UTC). */
  at: string;
  /** Hours from now to `at` (0.1 h). */
  hours_left: number;
  basis: Basis;
  /** Resolved appeals behind the estimate. */
  n: number;
}

export interface EtaInput {
  categoryId: number;
  districtId: number | null;
  sphereId: number | null;
  createdAt: Date;
  /** Now (for hours open and hours left). */
  now: Date;
}

/** The ETA of one open appeal, or null without a history to judge it by. */
export function etaOf(summary: DurationSummary, a: EtaInput): Eta | null {
  const pick = pickSample(summary, a);
  if (!pick) return null;
  const elapsedH = (a.now.getTime() - a.createdAt.getTime()) / 3_600_000;
  const h = expectedHours(pick.sample.q, elapsedH);
  if (h === null) return null;
  const at = new Date(a.createdAt.getTime() + h * 3_600_000);
  return {
    at: at.toISOString(),
    hours_left: Math.round(Math.max(0, h - elapsedH) * 10) / 10,
    basis: pick.basis,
    n: pick.sample.n,
  };
}

/** The estimate as given at creation: the median of similar appeals' times, from `createdAt`. */
export function etaAtCreation(
  summary: DurationSummary,
  a: Omit<EtaInput, 'now'>,
): { at: Date; hours: number; basis: Basis; n: number } | null {
  const pick = pickSample(summary, a);
  if (!pick) return null;
  const hours = quantileAt(pick.sample.q, 0.5);
  return { at: new Date(a.createdAt.getTime() + hours * 3_600_000), hours, basis: pick.basis, n: pick.sample.n };
}
