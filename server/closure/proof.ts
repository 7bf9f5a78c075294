import type pg from 'pg';

/**
 * What counts as proof that a resolution was done (issue 24, "share of resolutions with proof"):
 * a photo attached to the resolution. Each source below is a SQL condition on a resolution
 * event aliased `ev` (incident_events, to_status 'resolved'); a resolution has proof when any
 * source available in this database says so.
 *
 * Sources with a `table` are used only when that table exists, so a photo store added by a
 * later migration (the field app's `incident_resolution_checks`, which names the photos behind
 * each resolution event) feeds the metric without a change here: add a source for any other.
 */
export interface ProofSource {
  /** The table the condition reads; null: always available. */
  table: string | null;
  sql: string;
}

export const PROOF_SOURCES: readonly ProofSource[] = [
  // A photo link or photo ids written into the resolution event's data.
  {
    table: null,
    sql: `(ev.data ? 'photo_url' OR (jsonb_typeof(ev.data -> 'photo_ids') = 'array' AND jsonb_array_length(ev.data -> 'photo_ids') > 0))`,
  },
  // The field app's check of a resolution, with the photos that prove it.
  {
    table: 'incident_resolution_checks',
    sql: `EXISTS (SELECT 1 FROM incident_resolution_checks rc WHERE rc.event_id = ev.id AND cardinality(rc.photo_ids) > 0)`,
  },
];

const cache = new WeakMap<object, { at: number; sql: Promise<string> }>();
const TTL_MS = 60_000;

/** The OR of the proof sources whose tables exist (checked at most once a minute). */
export function proofPredicate(pool: pg.Pool | pg.PoolClient): Promise<string> {
  const hit = cache.get(pool);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.sql;
  const tables = PROOF_SOURCES.map((s) => s.table).filter((t): t is string => t !== null);
  const sql = pool
    .query<{ name: string; present: boolean }>(`SELECT t AS name, to_regclass(t) IS NOT NULL AS present FROM unnest($1::text[]) AS t`, [
      tables,
    ])
    .then(({ rows }) => {
      const present = new Set(rows.filter((r) => r.present).map((r) => r.name));
      return `(${PROOF_SOURCES.filter((s) => s.table === null || present.has(s.table))
        .map((s) => s.sql)
        .join(' OR ')})`;
    });
  sql.catch(() => cache.delete(pool));
  cache.set(pool, { at: Date.now(), sql });
  return sql;
}
