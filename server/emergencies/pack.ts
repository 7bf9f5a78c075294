import { z } from 'zod';
import type { Db } from '../lifecycle/duplicates.ts';
import { fillNames, type FullNames } from '../geodata/pack-names.ts';
import { Names, type Lang } from '../geodata/pack-schema.ts';

/**
 * geodata/<city>/first-measures.json: the first measures an emergency appeal calls for, keyed by
 * category code (a kind takes its nearest ancestor's list), and the emergency services a
 * dispatcher hands over to (101 fire, 102 police, 103 ambulance, 104 gas, 112 ...). Optional:
 * a pack without it has no checklists. Kept apart from categories.json on purpose, so the
 * taxonomy and the checklists can be edited independently.
 */
export const FIRST_MEASURES_FILE = 'first-measures.json';

const MeasureCode = z.string().regex(/^[a-z0-9_]{1,40}$/, 'a measure code: a–z, 0–9, _ (up to 40)');
/** An emergency service's short number as citizens dial it. */
export const HandoverCode = z.string().regex(/^[0-9]{2,4}$/, 'an emergency number: 2–4 digits');

const Measure = z
  .object({
    code: MeasureCode,
    name: Names,
    /** Set on a hand-over measure: the emergency service (a key of `services`) it hands over to. */
    handover: HandoverCode.optional(),
  })
  .strict();

export const FirstMeasuresSchema = z
  .object({
    provenance: z.string().optional(),
    services: z.record(HandoverCode, Names),
    checklists: z.record(z.string().min(1), z.array(Measure).min(1).max(30)),
  })
  .strict();

export interface PackMeasure {
  code: string;
  name: FullNames;
  handover?: string;
}
export interface PackFirstMeasures {
  services: { code: string; name: FullNames }[];
  checklists: Record<string, PackMeasure[]>;
}

export const NO_FIRST_MEASURES: PackFirstMeasures = { services: [], checklists: {} };

/** The file as read, with every name filled in kk/ru/en in the pack's language order. */
export function fillFirstMeasures(file: z.infer<typeof FirstMeasuresSchema>, order: readonly Lang[]): PackFirstMeasures {
  return {
    services: Object.entries(file.services).map(([code, name]) => ({ code, name: fillNames(name, order) })),
    checklists: Object.fromEntries(
      Object.entries(file.checklists).map(([cat, list]) => [cat, list.map((m) => ({ ...m, name: fillNames(m.name, order) }))]),
    ),
  };
}

/**
 * What the schema cannot see: each checklist's category exists and is an emergency, measure
 * codes are unique within a list, and hand-overs name a listed service. One line per problem.
 */
export function checkFirstMeasures(fm: PackFirstMeasures, emergencyOf: ReadonlyMap<string, boolean>): string[] {
  const problems: string[] = [];
  const services = new Set(fm.services.map((s) => s.code));
  for (const [cat, list] of Object.entries(fm.checklists)) {
    const at = `${FIRST_MEASURES_FILE}: "${cat}"`;
    if (!emergencyOf.has(cat)) problems.push(`${at} is not a category in categories.json`);
    else if (!emergencyOf.get(cat)) problems.push(`${at} is not marked "emergency": true in categories.json`);
    const seen = new Set<string>();
    for (const m of list) {
      if (seen.has(m.code)) problems.push(`${at}: measure "${m.code}" is listed twice`);
      seen.add(m.code);
      if (m.handover && !services.has(m.handover))
        problems.push(`${at}: measure "${m.code}" hands over to "${m.handover}", which "services" lacks`);
    }
  }
  return problems;
}

/**
 * Writes the pack's emergency services and checklists (inside loadCityPack's transaction).
 * Checklists are replaced as a whole; ticks already made stay (they name measures by code).
 */
export async function loadFirstMeasures(db: Db, fm: PackFirstMeasures): Promise<void> {
  let sort = 0;
  for (const s of fm.services) {
    await db.query(
      `INSERT INTO emergency_services (code, name_kk, name_ru, name_en, sort) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (code) DO UPDATE SET name_kk = EXCLUDED.name_kk, name_ru = EXCLUDED.name_ru, name_en = EXCLUDED.name_en, sort = EXCLUDED.sort`,
      [s.code, s.name.kk, s.name.ru, s.name.en, sort++],
    );
  }
  await db.query('DELETE FROM first_measures');
  for (const [cat, list] of Object.entries(fm.checklists)) {
    for (const [i, m] of list.entries()) {
      await db.query(
        `INSERT INTO first_measures (category_id, code, sort, name_kk, name_ru, name_en, handover)
         SELECT id, $2, $3, $4, $5, $6, $7 FROM categories WHERE code = $1`,
        [cat, m.code, i, m.name.kk, m.name.ru, m.name.en, m.handover ?? null],
      );
    }
  }
}
