import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { ACTIVE_STATUSES } from '../domain/statuses.ts';
import { getDurationSummary } from './durations.ts';
import { type Eta, etaOf } from './eta.ts';

/** The ETA of one appeal for its detail view (null when it is not open or has no history). */
export async function incidentEta(pool: pg.Pool, id: number): Promise<Eta | null> {
  const { rows } = await pool.query<{ category_id: number; sphere_id: number | null; district_id: number | null; created_at: Date }>(
    `SELECT i.category_id, c.sphere_id, i.district_id, i.created_at
       FROM incidents i JOIN categories c ON c.id = i.category_id
      WHERE i.id = $1 AND i.status = ANY($2::text[])`,
    [id, ACTIVE_STATUSES],
  );
  const r = rows[0];
  if (!r) return null;
  return etaOf(await getDurationSummary(pool), {
    categoryId: r.category_id,
    districtId: r.district_id,
    sphereId: r.sphere_id,
    createdAt: r.created_at,
    now: new Date(),
  });
}

/**
 * A list's features with `eta` in their properties: open appeals get theirs, others null. The
 * list carries codes; the catalog turns them into the ids the durations model is keyed by.
 */
export async function withEtas<F extends { properties: Record<string, unknown> }>(
  pool: pg.Pool,
  catalog: Catalog,
  features: F[],
): Promise<(F & { properties: F['properties'] & { eta: Eta | null } })[]> {
  const summary = await getDurationSummary(pool);
  const now = new Date();
  const active = new Set<string>(ACTIVE_STATUSES);
  return features.map((f) => {
    const p = f.properties;
    const category = catalog.categories.get(String(p.category));
    const created = p.created_at instanceof Date ? p.created_at : new Date(String(p.created_at));
    const eta =
      active.has(String(p.status)) && category && !Number.isNaN(created.getTime())
        ? etaOf(summary, {
            categoryId: category.id,
            districtId: p.district == null ? null : (catalog.districts.get(String(p.district))?.id ?? null),
            sphereId: p.sphere == null ? null : (catalog.categories.get(String(p.sphere))?.id ?? null),
            createdAt: created,
            now,
          })
        : null;
    return { ...f, properties: { ...p, eta } };
  });
}
