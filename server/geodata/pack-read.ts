import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { DEFAULT_TIME_ZONE } from '../deadlines/due.ts';
import { checkPack } from './pack-check.ts';
import { PackError } from './pack-error.ts';
import { fillNames, type FullNames } from './pack-names.ts';
import {
  CategorySchema,
  CitySchema,
  DistrictsSchema,
  HolidaysSchema,
  RoutingSchema,
  ServicesSchema,
  SynonymsSchema,
  type CategoryNode,
  type CityFile,
  type Lang,
} from './pack-schema.ts';
import { readSourceDistricts } from './pack-source.ts';
import {
  checkFirstMeasures,
  fillFirstMeasures,
  FIRST_MEASURES_FILE,
  FirstMeasuresSchema,
  NO_FIRST_MEASURES,
  type PackFirstMeasures,
} from '../emergencies/pack.ts';

/** geodata/ at the project's root: one folder per city pack. */
export const GEODATA_DIR = fileURLToPath(new URL('../../geodata/', import.meta.url));

export type PackCategory = Omit<CategoryNode, 'name' | 'answer' | 'children'> & {
  name: FullNames;
  answer?: FullNames;
  children?: PackCategory[];
};
export interface PackDistrict {
  type: 'Feature';
  properties: { code: string; name_kk: string; name_ru: string; name_en: string; population: number | null; approximate: boolean };
  geometry: { type: string; coordinates?: unknown };
}

/** A pack as read and checked: every name in kk/ru/en, the zone resolved, districts in one shape. */
export interface CityPack {
  dir: string;
  /** `timeZone` is unset only in an old pack that gives a fixed `utcOffset` alone. */
  city: CityFile & { languages: Lang[]; language: Lang; phone: string };
  services: { code: string; name: FullNames; phone?: string; email?: string; kind?: string }[];
  categories: PackCategory[];
  routing: z.infer<typeof RoutingSchema>;
  holidays: z.infer<typeof HolidaysSchema>;
  districts: { provenance?: string; srid: number; features: PackDistrict[] };
  /** Emergencies' first measures and the emergency services (first-measures.json, optional). */
  firstMeasures: PackFirstMeasures;
  /** Colloquial words callers use for a node (synonyms.json, optional): code -> words in kk and ru. */
  synonyms: Record<string, string[]>;
}

/** A pack folder: a name under geodata/ ("taraz") or a path to a folder ("test/fixtures/nyc-pack"). */
export function packDir(city: string): string {
  return /[/\\]/.test(city) || city.startsWith('.') ? resolve(city) : join(GEODATA_DIR, city);
}

function readJson(dir: string, file: string, problems: string[], required: boolean): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (required) problems.push(`${file}: missing (expected at ${path})`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`${file}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, file: string, problems: string[]): T | undefined {
  if (value === undefined) return undefined;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const i of r.error.issues.slice(0, 10)) problems.push(`${file}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  return undefined;
}

function emergencyByCode(nodes: PackCategory[], out = new Map<string, boolean>()): Map<string, boolean> {
  for (const n of nodes) {
    out.set(n.code, n.emergency ?? false);
    emergencyByCode(n.children ?? [], out);
  }
  return out;
}

const fillTree = (nodes: CategoryNode[], order: Lang[]): PackCategory[] =>
  nodes.map((n) => ({
    ...n,
    name: fillNames(n.name, order),
    answer: n.answer && fillNames(n.answer, order),
    children: n.children && fillTree(n.children, order),
  }));

/** Every name and answer of the tree in each of the pack's own languages (before any fallback fills a gap). */
function missingLanguages(nodes: CategoryNode[], order: Lang[], out: string[] = []): string[] {
  for (const n of nodes) {
    const name = order.filter((l) => !n.name[l]?.trim());
    if (name.length) out.push(`categories.json: "${n.code}" has no name in ${name.join(', ')}`);
    const answer = n.answer ? order.filter((l) => !n.answer![l]?.trim()) : [];
    if (answer.length) out.push(`categories.json: "${n.code}" has no answer in ${answer.join(', ')}`);
    missingLanguages(n.children ?? [], order, out);
  }
  return out;
}

/**
 * Reads and checks a city pack; throws a PackError listing every problem found (a missing
 * file, a bad field, a code that refers to nothing), so that it can be fixed in one go.
 */
export async function readCityPack(city: string): Promise<CityPack> {
  const dir = packDir(city);
  if (!existsSync(join(dir, 'city.json'))) throw new PackError(dir, [`city.json: missing; no city pack at ${dir} (JARDEM_CITY=${city})`]);
  const problems: string[] = [];
  const cityJson = readJson(dir, 'city.json', problems, true) as { code?: unknown } | undefined;
  const cityFile = parse(CitySchema, cityJson, 'city.json', problems);
  const services = parse(ServicesSchema, readJson(dir, 'services.json', problems, true), 'services.json', problems);
  const categories = parse(CategorySchema.array(), readJson(dir, 'categories.json', problems, true), 'categories.json', problems);
  const routing = parse(RoutingSchema, readJson(dir, 'routing.json', problems, false) ?? [], 'routing.json', problems);
  const synonyms = parse(SynonymsSchema, readJson(dir, 'synonyms.json', problems, false) ?? {}, 'synonyms.json', problems);
  const holidays = parse(HolidaysSchema, readJson(dir, 'holidays.json', problems, false) ?? [], 'holidays.json', problems);
  const order: Lang[] = cityFile?.languages ?? ['kk', 'ru', 'en'];
  const measuresFile = parse(FirstMeasuresSchema, readJson(dir, FIRST_MEASURES_FILE, problems, false), FIRST_MEASURES_FILE, problems);
  if (categories) problems.push(...missingLanguages(categories, order).slice(0, 20));
  let districts: CityPack['districts'] | undefined;
  if (cityFile?.districts) {
    districts = await readSourceDistricts(dir, cityFile.districts, order, problems);
  } else if (cityFile) {
    const file = existsSync(join(dir, 'districts.geojson'))
      ? parse(DistrictsSchema, readJson(dir, 'districts.geojson', problems, true), 'districts.geojson', problems)
      : void problems.push(`districts.geojson: missing; add it or point city.json's "districts.source" at a boundary file`);
    if (file) {
      districts = {
        provenance: file.provenance,
        srid: 4326,
        features: file.features.map((f) => {
          const p = f.properties;
          const name = fillNames({ kk: p.name_kk, ru: p.name_ru, en: p.name_en }, order);
          return {
            type: 'Feature' as const,
            geometry: f.geometry,
            properties: {
              code: p.code,
              name_kk: name.kk,
              name_ru: name.ru,
              name_en: name.en,
              population: p.population ?? null,
              approximate: p.approximate ?? false,
            },
          };
        }),
      };
    }
  }
  if (cityJson && cityJson.code !== basename(dir))
    problems.push(`city.json: code "${cityJson.code}" differs from the folder name "${basename(dir)}"`);
  if (!cityFile || !services || !categories || !routing || !holidays || !synonyms || !districts || problems.length)
    throw new PackError(dir, problems);
  // An old pack with only a fixed utcOffset keeps it (see city-zone.ts); otherwise the IANA zone.
  const timeZone = cityFile.timeZone ?? cityFile.timezone ?? (cityFile.utcOffset ? undefined : DEFAULT_TIME_ZONE);
  const pack: CityPack = {
    dir,
    city: {
      ...cityFile,
      timeZone,
      timezone: timeZone,
      languages: order,
      language: cityFile.language ?? cityFile.languages?.[0] ?? 'ru',
      phone: cityFile.phone ?? cityFile.numberPrefix,
    },
    services: services.map((s) => ({ ...s, name: fillNames(s.name, order) })),
    categories: fillTree(categories, order),
    routing,
    holidays,
    districts,
    firstMeasures: measuresFile ? fillFirstMeasures(measuresFile, order) : NO_FIRST_MEASURES,
    synonyms: synonyms ?? {},
  };
  problems.push(...checkPack(pack));
  problems.push(...checkFirstMeasures(pack.firstMeasures, emergencyByCode(pack.categories)));
  if (problems.length) throw new PackError(dir, problems);
  return pack;
}
