import type pg from 'pg';
import { type DurationSample, type DurationSummary, LEVELS, summaryKey } from './risk.ts';

/** Resolved appeals of this many past days make the history. */
export const HISTORY_DAYS = 365;
/** The summary is recomputed in the background once it is older than this. */
export const SUMMARY_TTL_MS = 10 * 60_000;

// One pass over the history: quantiles of hours-to-resolve per (category, district), per
// category and per sphere, through GROUPING SETS. Only appeals that were worked and resolved
// count (not information answered on the call, not rejections).
const SUMMARY_SQL = `
  WITH d AS (
    SELECT i.category_id, coalesce(i.district_id, 0) AS district_id, coalesce(c.sphere_id, 0) AS sphere_id,
           (extract(epoch FROM i.resolved_at - i.created_at) / 3600.0)::float8 AS h
      FROM incidents i JOIN categories c ON c.id = i.category_id
     WHERE i.resolved_at IS NOT NULL AND i.resolution IN ('fixed', 'not_confirmed')
       AND i.created_at >= now() - make_interval(days => $2)
  )
  SELECT GROUPING(category_id, district_id, sphere_id) AS g, category_id, district_id, sphere_id, count(*)::int AS n,
         percentile_cont($1::float8[]) WITHIN GROUP (ORDER BY h) AS q
    FROM d
   GROUP BY GROUPING SETS ((category_id, district_id), (category_id), (sphere_id))`;

export async function loadDurationSummary(pool: pg.Pool): Promise<DurationSummary> {
  const { rows } = await pool.query<{ g: number; category_id: number; district_id: number; sphere_id: number; n: number; q: number[] }>(
    SUMMARY_SQL,
    [LEVELS, HISTORY_DAYS],
  );
  const out = new Map<string, DurationSample>();
  for (const r of rows) {
    // GROUPING() sets a bit for each column left out: 0b001 (category, district), 0b011 (category), 0b110 (sphere).
    const key =
      r.g === 1
        ? summaryKey.category_district(r.category_id, r.district_id)
        : r.g === 3
          ? summaryKey.category(r.category_id)
          : summaryKey.sphere(r.sphere_id);
    out.set(key, { n: r.n, q: r.q.map(Number) });
  }
  return out;
}

interface Entry {
  at: number;
  value: Promise<DurationSummary>;
  refreshing?: Promise<void>;
}
const cache = new WeakMap<pg.Pool, Entry>();

/**
 * The summary, computed once and then refreshed in the background every SUMMARY_TTL_MS
 * (requests keep the previous one meanwhile): control views never scan history per row.
 */
export function getDurationSummary(pool: pg.Pool): Promise<DurationSummary> {
  const hit = cache.get(pool);
  if (!hit) {
    const value = loadDurationSummary(pool);
    cache.set(pool, { at: Date.now(), value });
    value.catch(() => cache.delete(pool));
    return value;
  }
  if (Date.now() - hit.at >= SUMMARY_TTL_MS && !hit.refreshing) {
    hit.refreshing = loadDurationSummary(pool).then(
      (fresh) => void cache.set(pool, { at: Date.now(), value: Promise.resolve(fresh) }),
      () => void (hit.refreshing = undefined),
    );
  }
  return hit.value;
}
