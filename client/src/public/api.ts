/** The portal's reads: the public API only (no session, no personal data). */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: number | null,
  ) {
    super(`HTTP ${status}`);
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new HttpError(res.status, Number(res.headers.get('retry-after')) || null);
  return (await res.json()) as T;
}

/** [from, to) of the last `days` days, as the statistics routes take it. */
export function periodQuery(days: number): string {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  return `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
}

export type Names = { kk: string; ru: string; en: string };

/** One service's or district's figures over a period (server/stats/breakdowns.ts). */
export interface Performance {
  resolved: number;
  on_time_rate: number | null;
  median_hours_to_close: number | null;
  mean_rating: number | null;
  ratings: number;
}

export interface ServiceRow {
  code: string;
  name: Names;
  open: number;
  overdue: number;
  performance: Performance & { created: number; overdue_now: number };
}

export interface DistrictRow extends Performance {
  code: string;
  name: Names;
  created: number;
  open: number;
  overdue: number;
}

export interface SphereRow {
  code: string;
  name: Names;
  color: string | null;
  count: number;
}

/** GET /api/public/incidents/:number (server/lifecycle/public.ts). */
export interface PublicStatus {
  number: string;
  category: { code: string; name: Names };
  district: { code: string; name: Names } | null;
  service: { code: string; name: Names } | null;
  status: string;
  resolution_note: string | null;
  merged_into: string | null;
  created_at: string;
  due_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  rating: number | null;
  timeline: { at: string; status: string; note: string | null }[];
}
