import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFeatures, slugCode } from './import.ts';
import { fillNames } from './pack-names.ts';
import type { CityPack } from './pack-read.ts';
import type { DistrictSourceSpec, Lang } from './pack-schema.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where a pack's boundary file is: `${JARDEM_SHARED_DATA}/…` (the variable, else ../shared/data
 * beside the project), an absolute path, or a path relative to the pack folder.
 */
export function sourcePath(packDir: string, source: string): string {
  const shared = process.env.JARDEM_SHARED_DATA || join(ROOT, '../shared/data');
  const expanded = source.replace(/^\$\{JARDEM_SHARED_DATA\}/, shared);
  return isAbsolute(expanded) ? expanded : resolve(packDir, expanded);
}

/**
 * Reads the districts of a pack from a boundary file (GeoJSON or Shapefile, as
 * `geodata:import` reads them) through the pack's field mapping. Problems go to `problems`.
 */
export async function readSourceDistricts(
  packDir: string,
  spec: DistrictSourceSpec,
  order: Lang[],
  problems: string[],
): Promise<CityPack['districts'] | undefined> {
  const file = sourcePath(packDir, spec.source);
  const at = `city.json: districts.source`;
  if (!existsSync(file)) {
    problems.push(`${at}: file ${file} not found${spec.source.includes('JARDEM_SHARED_DATA') ? ' (set JARDEM_SHARED_DATA)' : ''}`);
    return undefined;
  }
  let read: Awaited<ReturnType<typeof readFeatures>>;
  try {
    read = await readFeatures(file);
  } catch (err) {
    problems.push(`${at}: ${file} cannot be read (${(err as Error).message})`);
    return undefined;
  }
  const srid = spec.srid ?? read.srid;
  if (!srid) problems.push(`${at}: ${file} is projected; give its EPSG code as districts.srid`);
  const chosen = read.features.filter((f) => Object.entries(spec.where ?? {}).every(([k, v]) => String(f.properties?.[k]) === v));
  const { fields } = spec;
  const features = chosen.flatMap((f, n) => {
    const p = f.properties ?? {};
    const code = slugCode(p[fields.code]);
    if (!code) {
      problems.push(`${at}: feature ${n + 1} has no "${fields.code}" (the code field)`);
      return [];
    }
    if (!f.geometry || !/Polygon$/.test(f.geometry.type)) {
      problems.push(`${at}: feature ${code} is not a polygon`);
      return [];
    }
    const text = (field?: string) => (field && p[field] != null ? String(p[field]).trim() : undefined) || undefined;
    const name = fillNames({ kk: text(fields.name.kk), ru: text(fields.name.ru), en: text(fields.name.en) }, order);
    const pop = fields.population ? Number(p[fields.population]) : NaN;
    return [
      {
        type: 'Feature' as const,
        geometry: f.geometry,
        properties: {
          code,
          name_kk: name.kk || code,
          name_ru: name.ru || code,
          name_en: name.en || code,
          population: Number.isFinite(pop) ? Math.round(pop) : null,
          approximate: spec.approximate ?? false,
        },
      },
    ];
  });
  if (read.features.length && !chosen.length) problems.push(`${at}: no feature of ${file} matches districts.where`);
  const provenance = spec.provenance ?? `${spec.source} (via city pack field mapping)`;
  return { provenance, srid: srid || 4326, features };
}
