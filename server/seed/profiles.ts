/**
 * The shape of demand: how much each sphere is asked about, in which season, at which hour, and
 * which appeal types it draws. Spheres and categories are recognised by their codes (the Taraz
 * pack's codes, and common synonyms), so another city's pack gets sensible values too; an
 * unrecognised sphere is treated as "other".
 */
import type { IncidentType, SeedCategory } from './types.ts';

/** Twelve values, January to December, each the level at the middle of its month (1 = average). */
type Months = readonly number[];

export interface Topic {
  key: string;
  match: RegExp;
  /** Relative volume of the sphere (all spheres sum to ~120). */
  weight: number;
  season: Months;
  /** Spheres that are mostly questions: answered on the line, rarely tied to a spot. */
  info?: boolean;
  /** Share of the sphere's appeals that fall on its hotspots. */
  hotspotShare: number;
}

const FLAT: Months = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

/** First match wins; matched against the sphere's code. */
export const TOPICS: readonly Topic[] = [
  {
    key: 'heating',
    match: /heat|otop|teplo/,
    weight: 9,
    season: [2.6, 2.2, 1.3, 0.5, 0.12, 0.08, 0.08, 0.1, 0.35, 1.7, 2.1, 2.5],
    hotspotShare: 0.35,
  },
  { key: 'hot_water', match: /hot_?water|gvs/, weight: 5, season: [1, 1, 1, 1, 1.1, 1.6, 1.7, 1.4, 1, 1, 1, 1], hotspotShare: 0.3 },
  {
    key: 'cold_water',
    match: /water|vodo/,
    weight: 9,
    season: [0.9, 0.9, 0.9, 1, 1.1, 1.3, 1.4, 1.3, 1, 0.9, 0.9, 0.9],
    hotspotShare: 0.3,
  },
  { key: 'sewage', match: /sewa|sewer|kanaliz/, weight: 5, season: [0.9, 0.9, 1.2, 1.2, 1, 1, 1, 1, 1, 1, 0.9, 0.9], hotspotShare: 0.35 },
  {
    key: 'electricity',
    match: /electr|power|energo/,
    weight: 7,
    season: [1.2, 1.1, 1, 0.9, 0.9, 1.1, 1.3, 1.2, 0.9, 0.9, 1, 1.2],
    hotspotShare: 0.3,
  },
  { key: 'gas', match: /^gas|_gas/, weight: 3, season: [1.4, 1.3, 1.1, 0.9, 0.8, 0.7, 0.7, 0.7, 0.8, 1, 1.2, 1.4], hotspotShare: 0.25 },
  { key: 'lifts', match: /lift|elevator/, weight: 3, season: FLAT, hotspotShare: 0.4 },
  {
    key: 'flooding',
    match: /flood|podtop/,
    weight: 2.5,
    season: [0.3, 0.6, 2.6, 2.4, 1.2, 0.9, 0.9, 0.6, 0.4, 0.5, 0.5, 0.3],
    hotspotShare: 0.5,
  },
  { key: 'manholes', match: /manhole|hatch|luk/, weight: 2, season: [0.9, 0.9, 1.1, 1.1, 1.1, 1, 1, 1, 1, 1, 1, 0.9], hotspotShare: 0.3 },
  {
    key: 'garbage',
    match: /garbage|waste|trash|musor|rubbish/,
    weight: 9,
    season: [0.75, 0.75, 0.9, 1.1, 1.3, 1.35, 1.4, 1.35, 1.2, 1, 0.85, 0.8],
    hotspotShare: 0.35,
  },
  {
    key: 'landscaping',
    match: /landscap|green|blagoust|improv|park/,
    weight: 7,
    season: [0.3, 0.35, 0.8, 1.5, 1.8, 1.7, 1.6, 1.5, 1.2, 1, 0.5, 0.3],
    hotspotShare: 0.3,
  },
  {
    key: 'lighting',
    match: /light|osvesh/,
    weight: 4.5,
    season: [1.3, 1.2, 1, 0.8, 0.7, 0.6, 0.6, 0.7, 0.9, 1.2, 1.4, 1.4],
    hotspotShare: 0.3,
  },
  {
    key: 'roads',
    match: /road|street|asphalt/,
    weight: 7,
    season: [1.1, 1.2, 1.6, 1.5, 1.1, 0.9, 0.8, 0.8, 0.9, 1, 1, 1.1],
    hotspotShare: 0.3,
  },
  {
    key: 'transport',
    match: /transport|bus|route/,
    weight: 6,
    season: [1, 1, 1, 1, 1, 0.85, 0.8, 0.85, 1.25, 1.1, 1, 1],
    hotspotShare: 0.3,
  },
  {
    key: 'ksk',
    match: /ksk|^osi|_osi|housing|condo/,
    weight: 7,
    season: [1.1, 1, 1, 1, 1, 0.9, 0.9, 0.9, 1, 1, 1.1, 1.1],
    hotspotShare: 0.3,
  },
  {
    key: 'fuel',
    match: /fuel|coal|toplivo/,
    weight: 1.5,
    season: [1.2, 0.8, 0.5, 0.3, 0.3, 0.3, 0.4, 0.7, 1.5, 2, 2, 1.6],
    hotspotShare: 0.25,
  },
  {
    key: 'noise',
    match: /noise|shum/,
    weight: 3,
    season: [0.55, 0.55, 0.7, 0.9, 1.2, 1.6, 1.8, 1.7, 1.2, 0.8, 0.6, 0.6],
    hotspotShare: 0.45,
  },
  {
    key: 'animals',
    match: /animal|dog|stray/,
    weight: 3.5,
    season: [0.7, 0.7, 0.9, 1.1, 1.3, 1.4, 1.4, 1.35, 1.2, 0.9, 0.8, 0.7],
    hotspotShare: 0.35,
  },
  {
    key: 'health',
    match: /health|medic|clinic/,
    weight: 3,
    season: [1.3, 1.3, 1.1, 1, 0.9, 0.8, 0.8, 0.8, 0.9, 1, 1.2, 1.3],
    info: true,
    hotspotShare: 0.1,
  },
  { key: 'pension', match: /pension|enpf/, weight: 3, season: FLAT, info: true, hotspotShare: 0.02 },
  {
    key: 'education',
    match: /educat|school/,
    weight: 2,
    season: [0.8, 0.8, 0.8, 0.8, 1, 1, 1.3, 2, 1.8, 0.9, 0.8, 0.8],
    info: true,
    hotspotShare: 0.1,
  },
  { key: 'social', match: /social|employ/, weight: 3, season: FLAT, info: true, hotspotShare: 0.05 },
  {
    key: 'trade',
    match: /trade|business|entrepr/,
    weight: 2,
    season: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.1, 1.3],
    info: true,
    hotspotShare: 0.25,
  },
  {
    key: 'events',
    match: /event|festiv|culture/,
    weight: 1,
    season: [1.1, 0.6, 1.7, 0.8, 1.2, 0.8, 0.8, 0.9, 0.8, 0.8, 0.7, 1.6],
    info: true,
    hotspotShare: 0.3,
  },
  { key: 'other', match: /./, weight: 3, season: FLAT, info: true, hotspotShare: 0.02 },
];

/** Categories whose season differs from their sphere's; matched against the full code. */
const SEASON_OVERRIDES: readonly [RegExp, Months][] = [
  [/snow|(^|[._])ice/, [2.8, 2.4, 0.8, 0.05, 0.02, 0.02, 0.02, 0.02, 0.02, 0.1, 0.9, 2.3]],
  [/melt/, [0.6, 1.5, 3.2, 2.0, 0.3, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.5]],
  [/storm/, [0.3, 0.5, 1.5, 1.6, 1.5, 1.3, 1.2, 1.0, 0.7, 0.7, 0.5, 0.3]],
  [/mowing|watering|fountain/, [0.02, 0.02, 0.2, 0.9, 2.0, 2.4, 2.4, 2.2, 1.3, 0.3, 0.05, 0.02]],
  [/aryk/, [0.2, 0.2, 0.8, 1.6, 1.9, 1.9, 1.8, 1.6, 1.1, 0.6, 0.3, 0.2]],
  [/planned_outage/, [0.2, 0.2, 0.3, 0.6, 1.5, 2.8, 2.6, 1.8, 0.6, 0.3, 0.2, 0.2]],
  [/cold_cabin/, [2.5, 2.2, 1.0, 0.2, 0.02, 0.02, 0.02, 0.02, 0.1, 0.6, 1.6, 2.3]],
  [/heating\.season/, [0.6, 0.5, 1.0, 1.5, 0.2, 0.1, 0.1, 0.3, 2.5, 3.0, 1.0, 0.5]],
  [/heating\.billing/, [1.2, 1.3, 1.2, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.8, 1.0, 1.2]],
  // Pressure tests of the heating network in late spring also burst old pipes.
  [/heating\.pipe_burst/, [2.2, 2, 1.3, 0.7, 0.8, 0.9, 0.4, 0.4, 0.8, 1.5, 1.8, 2.1]],
  [/enrol|kindergarten\.queue/, [0.6, 0.6, 0.7, 0.9, 1.2, 1.4, 1.6, 2.4, 1.9, 0.7, 0.6, 0.5]],
  [/fallen|hazardous/, [0.7, 0.8, 1.2, 1.4, 1.3, 1.1, 1, 1, 1, 1.1, 1, 0.8]],
  [/burning/, [0.6, 0.6, 1.2, 1.5, 0.9, 0.8, 0.8, 0.9, 1.2, 1.8, 1.4, 0.7]],
  [/pothole/, [1.2, 1.5, 2.0, 1.8, 1.1, 0.8, 0.7, 0.7, 0.8, 0.9, 1, 1.1]],
];

/** Categories that are questions rather than faults, whatever their sphere. */
const INFO_LEAF =
  /info|billing|tariff|season|planned_outage|management_form|balance|early_use|kindergarten\.queue|insurance|attachment|business_support|job_search|public_works|targeted_aid|large_families|appeal_status|contacts|road_closure|fees\.report/;
/** Categories that ask for a service (a visit, a tree cut, a septic tank emptied). */
const SERVICE_LEAF = /septic|pruning|mowing|missing|replacement|\.new|ramp|connection|meter|dead_animal|street_cleaning|new_route|proposal/;

export const TYPES: readonly IncidentType[] = ['complaint', 'problem', 'incident', 'service_request', 'information_request'];
/** The overall mix of appeal types the generator aims at. */
export const TYPE_TARGET: Readonly<Record<IncidentType, number>> = {
  complaint: 0.4,
  problem: 0.15,
  incident: 0.1,
  service_request: 0.15,
  information_request: 0.2,
};

export function topicOf(sphereCode: string): Topic {
  const code = sphereCode.toLowerCase();
  return TOPICS.find((t) => t.match.test(code))!;
}

export function seasonOf(category: SeedCategory, topic: Topic): Months {
  return SEASON_OVERRIDES.find(([re]) => re.test(category.code))?.[1] ?? topic.season;
}

/** Season level on a day of the year (0 = 1 January), interpolated between mid-months. */
export function seasonLevel(months: Months, dayOfYear: number): number {
  const x = (dayOfYear + 0.5) / 30.44 - 0.5; // 0 = mid-January
  const i = Math.floor(x);
  const f = x - i;
  const a = months[(i + 12) % 12];
  const b = months[(i + 13) % 12];
  return a + (b - a) * f;
}

/** How strongly a category leans to each type, before the overall mix is fitted (typeMix). */
export function typeAffinity(category: SeedCategory, topic: Topic): number[] {
  if (category.emergency) return [0.5, 0.8, 6, 0.2, 0.15];
  if (INFO_LEAF.test(category.code)) return [0.3, 0.15, 0.03, 0.6, 6];
  if (topic.info) return [0.8, 0.4, 0.05, 0.8, 3];
  if (SERVICE_LEAF.test(category.code)) return [0.8, 0.6, 0.2, 3, 0.5];
  return [1.3, 1, 0.35, 0.7, 0.45];
}

/**
 * Per-category type probabilities whose mix over the expected category shares matches
 * TYPE_TARGET (iterative proportional fitting of one multiplier per type).
 */
export function typeMix(affinities: number[][], shares: number[]): number[][] {
  const target = TYPES.map((t) => TYPE_TARGET[t]);
  const mult = target.map(() => 1);
  let probs: number[][] = [];
  for (let iter = 0; iter < 50; iter++) {
    probs = affinities.map((a) => {
      const w = a.map((x, j) => x * mult[j]);
      const s = w.reduce((p, q) => p + q, 0);
      return w.map((x) => x / s);
    });
    const got = target.map((_, j) => probs.reduce((s, p, i) => s + p[j] * shares[i], 0));
    for (let j = 0; j < mult.length; j++) if (got[j] > 0) mult[j] *= target[j] / got[j];
  }
  return probs;
}

/** Appeals by local hour (0–23): peaks 9–12 and 18–21, quiet at night. */
export const HOURS_DAY = [
  0.25, 0.15, 0.1, 0.1, 0.12, 0.3, 0.9, 2.2, 4.2, 6.3, 6.8, 6.6, 5.2, 4.6, 4.8, 4.9, 4.8, 5.2, 6.0, 6.4, 6.2, 4.7, 2.6, 1.0,
];
/** Emergencies happen around the clock. */
export const HOURS_EMERGENCY = HOURS_DAY.map((w) => 0.6 * w + 1.4);
/** Noise at night: late evening and the small hours. */
export const HOURS_NIGHT = [
  3.2, 2.6, 1.6, 0.8, 0.3, 0.1, 0.1, 0.2, 0.3, 0.4, 0.4, 0.4, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.9, 1.3, 2.0, 3.2, 4.6, 4.4,
];

/** Volume by day of the week, Sunday first. */
export const WEEKDAY = [0.62, 1.12, 1.07, 1.04, 1.02, 0.98, 0.72];

/** Channels in office hours (09–18 on working days, about 45 % of appeals) and outside them: ~60 % phone, ~3 % walk-in overall. */
export const CHANNELS_OFFICE = {
  phone: 0.565,
  telegram: 0.12,
  whatsapp: 0.1,
  web: 0.06,
  app: 0.06,
  facebook: 0.03,
  walk_in: 0.065,
} as const;
export const CHANNELS_AFTER_HOURS = {
  phone: 0.63,
  telegram: 0.12,
  whatsapp: 0.1,
  web: 0.06,
  app: 0.06,
  facebook: 0.03,
  walk_in: 0,
} as const;
