import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import { extraFields } from '../catalogue/extra.ts';
import type { CityPack, PackCategory } from './pack-read.ts';
import { loadFirstMeasures } from '../emergencies/pack.ts';

export { GEODATA_DIR, packDir, readCityPack, type CityPack } from './pack-read.ts';

/** Depth-first list of a category tree with parent codes and inherited settings. */
export function flattenCategories(nodes: PackCategory[], parent: PackCategory | null = null, sphere: string | null = null, depth = 0) {
  const out: {
    node: PackCategory;
    parent: string | null;
    sphere: string;
    depth: number;
    sort: number;
  }[] = [];
  nodes.forEach((node, sort) => {
    const s = sphere ?? node.code;
    // Unset settings are inherited from the parent (a kind takes its category's norm and service).
    const full: PackCategory = {
      ...node,
      norm: node.norm ?? parent?.norm,
      priority: node.priority ?? parent?.priority,
      service: node.service ?? parent?.service,
      radiusM: node.radiusM ?? parent?.radiusM,
      windowHours: node.windowHours ?? parent?.windowHours,
    };
    out.push({
      node: full,
      parent: parent?.code ?? null,
      sphere: s,
      depth,
      sort,
    });
    out.push(...flattenCategories(node.children ?? [], full, s, depth + 1));
  });
  return out;
}

/**
 * Loads a city pack into the database in one transaction: city settings, services, categories,
 * districts, routing rules and the holiday calendar. Safe to run again: rows are upserted by code.
 * With `keepDistricts` (a database whose boundaries were imported before the pack was loaded)
 * the districts already there stay, and routing rules for districts it lacks are skipped.
 */
export async function loadCityPack(
  pool: pg.Pool,
  pack: CityPack,
  opts: { keepDistricts?: boolean } = {},
): Promise<{ skippedRules: number }> {
  let skippedRules = 0;
  // The boundary file's path stays on the server: /api/meta shows the stored settings.
  const { districts: _source, ...city } = pack.city;
  await withTransaction(pool, async (db) => {
    await db.query(`INSERT INTO city_settings (key, value) VALUES ('city', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
      city,
    ]);
    for (const s of pack.services) {
      await db.query(
        `INSERT INTO services (code, name_kk, name_ru, name_en, kind, phone, email) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (code) DO UPDATE SET name_kk=EXCLUDED.name_kk, name_ru=EXCLUDED.name_ru, name_en=EXCLUDED.name_en,
           kind=EXCLUDED.kind, phone=EXCLUDED.phone, email=EXCLUDED.email`,
        [s.code, s.name.kk, s.name.ru, s.name.en, s.kind ?? null, s.phone ?? null, s.email ?? null],
      );
    }
    for (const { node, parent, sphere, depth, sort } of flattenCategories(pack.categories)) {
      const norm = node.norm as { hours?: number; workingDays?: number } | undefined;
      await db.query(
        `INSERT INTO categories (code, parent_id, sphere_id, depth, sort, name_kk, name_ru, name_en, icon, color,
                                 norm_hours, norm_working_days, priority, default_service_id, duplicate_radius_m, duplicate_window_h, emergency,
                                 request_type, answer_kk, answer_ru, answer_en, synonyms, extra)
         VALUES ($1, (SELECT id FROM categories WHERE code = $2), (SELECT id FROM categories WHERE code = $3), $4, $5, $6, $7, $8, $9, $10,
                 $11, $12, $13, (SELECT id FROM services WHERE code = $14), $15, $16, $17, $18, $19, $20, $21, $22, $23)
         ON CONFLICT (code) DO UPDATE SET parent_id=EXCLUDED.parent_id, sphere_id=EXCLUDED.sphere_id, depth=EXCLUDED.depth, sort=EXCLUDED.sort,
           name_kk=EXCLUDED.name_kk, name_ru=EXCLUDED.name_ru, name_en=EXCLUDED.name_en, icon=EXCLUDED.icon, color=EXCLUDED.color,
           norm_hours=EXCLUDED.norm_hours, norm_working_days=EXCLUDED.norm_working_days, priority=EXCLUDED.priority,
           default_service_id=EXCLUDED.default_service_id, duplicate_radius_m=EXCLUDED.duplicate_radius_m,
           duplicate_window_h=EXCLUDED.duplicate_window_h, emergency=EXCLUDED.emergency, request_type=EXCLUDED.request_type,
           answer_kk=EXCLUDED.answer_kk, answer_ru=EXCLUDED.answer_ru, answer_en=EXCLUDED.answer_en, synonyms=EXCLUDED.synonyms,
           extra=EXCLUDED.extra`,
        [
          node.code,
          parent,
          depth === 0 ? null : sphere,
          depth,
          sort,
          node.name.kk,
          node.name.ru,
          node.name.en,
          node.icon ?? null,
          node.color ?? null,
          norm?.hours ?? null,
          norm?.workingDays ?? null,
          node.priority ?? 3,
          node.service ?? null,
          node.radiusM ?? 100,
          node.windowHours ?? 72,
          node.emergency ?? false,
          node.type ?? null,
          node.answer?.kk ?? null,
          node.answer?.ru ?? null,
          node.answer?.en ?? null,
          pack.synonyms?.[node.code] ?? [],
          JSON.stringify(extraFields(node as unknown as Record<string, unknown>)),
        ],
      );
    }
    // A sphere is its own sphere (so "sphere_id" is never null).
    await db.query('UPDATE categories SET sphere_id = id WHERE depth = 0');
    for (const f of opts.keepDistricts ? [] : pack.districts.features) {
      const p = f.properties;
      await db.query(
        `INSERT INTO districts (code, name_kk, name_ru, name_en, population, approximate, source, geom)
         VALUES ($1, $2, $3, $4, $5, $6, $7, ST_Transform(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON($8), $9::int))), 3)), 4326))
         ON CONFLICT (code) DO UPDATE SET name_kk=EXCLUDED.name_kk, name_ru=EXCLUDED.name_ru, name_en=EXCLUDED.name_en,
           population=EXCLUDED.population, approximate=EXCLUDED.approximate, source=EXCLUDED.source, geom=EXCLUDED.geom`,
        [
          p.code,
          p.name_kk,
          p.name_ru,
          p.name_en,
          p.population ?? null,
          p.approximate ?? false,
          pack.districts.provenance ?? `city pack ${pack.city.code}`,
          JSON.stringify(f.geometry),
          pack.districts.srid,
        ],
      );
    }
    await db.query('DELETE FROM routing_rules');
    for (const r of pack.routing) {
      const { rowCount } = await db.query(
        `INSERT INTO routing_rules (category_id, district_id, service_id)
         SELECT c.id, d.id, s.id FROM categories c JOIN services s ON s.code = $3
           LEFT JOIN districts d ON d.code = $2
          WHERE c.code = $1 AND ($2::text IS NULL OR d.id IS NOT NULL)`,
        [r.category, r.district ?? null, r.service],
      );
      if (!rowCount && opts.keepDistricts && r.district) skippedRules++;
      else if (!rowCount) throw new Error(`Routing rule refers to an unknown code: ${JSON.stringify(r)}`);
    }
    for (const h of pack.holidays) {
      await db.query(
        `INSERT INTO calendar_days (day, kind, name_kk, name_ru, name_en) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (day) DO UPDATE SET kind=EXCLUDED.kind, name_kk=EXCLUDED.name_kk, name_ru=EXCLUDED.name_ru, name_en=EXCLUDED.name_en`,
        [h.date, h.kind ?? 'holiday', h.name?.kk ?? null, h.name?.ru ?? null, h.name?.en ?? null],
      );
    }
    await loadFirstMeasures(db, pack.firstMeasures);
  });
  return { skippedRules };
}
