import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '../db/pool.ts';

/** geodata/ at the project's root: one folder per city pack. */
export const GEODATA_DIR = fileURLToPath(new URL('../../geodata/', import.meta.url));

const Names = z.object({
  kk: z.string().min(1),
  ru: z.string().min(1),
  en: z.string().min(1),
});
const Norm = z.union([z.object({ hours: z.number().int().positive() }), z.object({ workingDays: z.number().int().positive() })]);

const CitySchema = z.object({
  code: z.string(),
  name: Names,
  timezone: z.string(),
  utcOffset: z.string().optional(),
  center: z.tuple([z.number(), z.number()]),
  bounds: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]),
  defaultZoom: z.number(),
  numberPrefix: z.string().default('109'),
  provenance: z.string().optional(),
});
export type CityInfo = z.infer<typeof CitySchema>;

interface CategoryNode {
  code: string;
  name: z.infer<typeof Names>;
  icon?: string;
  color?: string;
  norm?: z.infer<typeof Norm>;
  priority?: number;
  service?: string;
  radiusM?: number;
  windowHours?: number;
  emergency?: boolean;
  children?: CategoryNode[];
}
const CategorySchema: z.ZodType<CategoryNode> = z.lazy(() =>
  z.object({
    code: z.string().regex(/^[a-z0-9_.]+$/),
    name: Names,
    icon: z.string().optional(),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/)
      .optional(),
    norm: Norm.optional(),
    priority: z.number().int().min(1).max(4).optional(),
    service: z.string().optional(),
    radiusM: z.number().int().positive().optional(),
    windowHours: z.number().int().positive().optional(),
    emergency: z.boolean().optional(),
    children: z.array(CategorySchema).optional(),
  }),
);

const PackSchema = z.object({
  city: CitySchema,
  services: z.array(
    z.object({
      code: z.string(),
      name: Names,
      phone: z.string().optional(),
      email: z.string().optional(),
      kind: z.string().optional(),
    }),
  ),
  categories: z.array(CategorySchema),
  routing: z.array(
    z.object({
      category: z.string(),
      district: z.string().nullable().optional(),
      service: z.string(),
    }),
  ),
  holidays: z.array(
    z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      name: Names.partial().optional(),
      kind: z.enum(['holiday', 'workday']).optional(),
    }),
  ),
  districts: z.object({
    type: z.literal('FeatureCollection'),
    provenance: z.string().optional(),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        properties: z.object({
          code: z.string(),
          name_kk: z.string(),
          name_ru: z.string(),
          name_en: z.string(),
          population: z.number().int().nullable().optional(),
          approximate: z.boolean().optional(),
        }),
        geometry: z.object({ type: z.enum(['Polygon', 'MultiPolygon']) }).passthrough(),
      }),
    ),
  }),
});
export type CityPack = z.infer<typeof PackSchema>;

const readJson = (dir: string, file: string) => JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));

/** Reads and validates geodata/<city>/; throws naming the file and field at fault. */
export function readCityPack(city: string): CityPack {
  const dir = GEODATA_DIR + city;
  if (!existsSync(`${dir}/city.json`)) throw new Error(`No city pack at geodata/${city}/ (JARDEM_CITY=${city})`);
  const parsed = PackSchema.safeParse({
    city: readJson(dir, 'city.json'),
    services: readJson(dir, 'services.json'),
    categories: readJson(dir, 'categories.json'),
    routing: existsSync(`${dir}/routing.json`) ? readJson(dir, 'routing.json') : [],
    holidays: existsSync(`${dir}/holidays.json`) ? readJson(dir, 'holidays.json') : [],
    districts: readJson(dir, 'districts.geojson'),
  });
  if (!parsed.success) {
    throw new Error(
      `City pack geodata/${city} is invalid: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

/** Depth-first list of a category tree with parent codes and inherited settings. */
export function flattenCategories(nodes: CategoryNode[], parent: CategoryNode | null = null, sphere: string | null = null, depth = 0) {
  const out: {
    node: CategoryNode;
    parent: string | null;
    sphere: string;
    depth: number;
    sort: number;
  }[] = [];
  nodes.forEach((node, sort) => {
    const s = sphere ?? node.code;
    // Unset settings are inherited from the parent (a kind takes its category's norm and service).
    const full: CategoryNode = {
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
 */
export async function loadCityPack(pool: pg.Pool, pack: CityPack): Promise<void> {
  await withTransaction(pool, async (db) => {
    await db.query(`INSERT INTO city_settings (key, value) VALUES ('city', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
      pack.city,
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
                                 norm_hours, norm_working_days, priority, default_service_id, duplicate_radius_m, duplicate_window_h, emergency)
         VALUES ($1, (SELECT id FROM categories WHERE code = $2), (SELECT id FROM categories WHERE code = $3), $4, $5, $6, $7, $8, $9, $10,
                 $11, $12, $13, (SELECT id FROM services WHERE code = $14), $15, $16, $17)
         ON CONFLICT (code) DO UPDATE SET parent_id=EXCLUDED.parent_id, sphere_id=EXCLUDED.sphere_id, depth=EXCLUDED.depth, sort=EXCLUDED.sort,
           name_kk=EXCLUDED.name_kk, name_ru=EXCLUDED.name_ru, name_en=EXCLUDED.name_en, icon=EXCLUDED.icon, color=EXCLUDED.color,
           norm_hours=EXCLUDED.norm_hours, norm_working_days=EXCLUDED.norm_working_days, priority=EXCLUDED.priority,
           default_service_id=EXCLUDED.default_service_id, duplicate_radius_m=EXCLUDED.duplicate_radius_m,
           duplicate_window_h=EXCLUDED.duplicate_window_h, emergency=EXCLUDED.emergency`,
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
        ],
      );
    }
    // A sphere is its own sphere (so "sphere_id" is never null).
    await db.query('UPDATE categories SET sphere_id = id WHERE depth = 0');
    for (const f of pack.districts.features) {
      const p = f.properties;
      await db.query(
        `INSERT INTO districts (code, name_kk, name_ru, name_en, population, approximate, source, geom)
         VALUES ($1, $2, $3, $4, $5, $6, $7, ST_Multi(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($8), 4326))))
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
      if (!rowCount) throw new Error(`Routing rule refers to an unknown code: ${JSON.stringify(r)}`);
    }
    for (const h of pack.holidays) {
      await db.query(
        `INSERT INTO calendar_days (day, kind, name_kk, name_ru, name_en) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (day) DO UPDATE SET kind=EXCLUDED.kind, name_kk=EXCLUDED.name_kk, name_ru=EXCLUDED.name_ru, name_en=EXCLUDED.name_en`,
        [h.date, h.kind ?? 'holiday', h.name?.kk ?? null, h.name?.ru ?? null, h.name?.en ?? null],
      );
    }
  });
}
