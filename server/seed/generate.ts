/**
 * Demo history for Jardem: a deterministic stream of realistic appeals for a city. Pure: the
 * same options and city give byte-identical output (no clock, no Math.random; `now` is an
 * input), and rows stream one at a time in creation order, so millions never sit in memory.
 *
 * Volume per local day follows the weekday, public holidays, a slow growth of the centre's use,
 * the seasons of each sphere and a few city events (summer storms, cold snaps, thaws, water-main
 * bursts). Within a day the category follows the same weights, the hour a daily profile, the
 * place the population and each sphere's hotspots; the rest of the appeal's life is lifecycle.ts.
 */
import { dueAt, isWorkingDay, localDate, type Norm } from '../deadlines/due.ts';
import { live } from './lifecycle.ts';
import { atWallHour, dayBounds, nextDate, wallHour } from './local-time.ts';
import { type Hotspot, CityPlaces, type Place } from './places.ts';
import { type Address, makeReporter } from './people.ts';
import {
  CHANNELS_AFTER_HOURS,
  CHANNELS_OFFICE,
  HOURS_DAY,
  HOURS_EMERGENCY,
  HOURS_NIGHT,
  seasonLevel,
  seasonOf,
  type Topic,
  topicOf,
  TYPES,
  typeAffinity,
  typeMix,
  WEEKDAY,
} from './profiles.ts';
import { cumulative, Rng } from './random.ts';
import { describe, templateFor } from './texts.ts';
import type { Channel, SeedCategory, SeedCity, SeedIncident } from './types.ts';

export type { SeedCity, SeedIncident } from './types.ts';

export interface GenerateOptions {
  /** Number of appeals to generate (exactly this many). */
  count: number;
  /** Length of the history in months before `now`. */
  months: number;
  /** Everything random derives from this. */
  seed: string | number;
  /** The end of the history; no timestamp is later. */
  now: Date;
}

const DAY = 86_400_000;

/** A category appeals can be filed under, with everything precomputed for it. */
interface Choice {
  category: SeedCategory;
  topic: Topic;
  sphere: string;
  season: readonly number[];
  /** Relative volume before season and day effects. */
  base: number;
  types: Float64Array;
  hours: readonly number[];
  norm: Norm;
  /** Whose description template to use: its own, or a descendant's for a middle category without one. */
  textCode: string;
}

/** A day's special effect: a multiplier on matching categories, maybe with a one-off hotspot. */
interface DayEffect {
  match: RegExp;
  mult: number;
  spot?: { lng: number; lat: number; sigmaM: number; share: number; address: Address };
}

/** A local calendar day of the history and its volume. */
interface Day {
  date: string;
  /** UTC ms of its local midnight, and the part of it inside the history. */
  start: number;
  from: number;
  to: number;
  factor: number;
  effects: DayEffect[];
}

function choices(city: SeedCity, order: Rng): Choice[] {
  const cats = city.categories;
  const hasChildren = new Set(cats.map((c) => c.parentCode).filter((c): c is string => c !== null));
  const bySphere = new Map<string, SeedCategory[]>();
  for (const c of cats) {
    // Leaves, and now and then a middle category when the dispatcher did not go deeper.
    if (c.depth === 0 && hasChildren.has(c.code)) continue;
    bySphere.set(c.sphereCode, [...(bySphere.get(c.sphereCode) ?? []), c]);
  }
  const out: Choice[] = [];
  for (const [sphere, list] of bySphere) {
    const topic = topicOf(sphere);
    // Mild skew within a sphere: a seeded ranking, weight 1/sqrt(rank + 1).
    const ranked = list.map((c) => ({ c, key: order.float() })).sort((a, b) => a.key - b.key);
    const raw = ranked.map(({ c }, rank) => (1 / Math.sqrt(rank + 1)) * (hasChildren.has(c.code) ? 0.08 : 1) * (c.emergency ? 0.7 : 1));
    const sum = raw.reduce((a, b) => a + b, 0);
    ranked.forEach(({ c }, i) => {
      const norm: Norm = c.normHours ? { hours: c.normHours } : { workingDays: c.normWorkingDays ?? 15 };
      out.push({
        category: c,
        topic,
        sphere,
        season: seasonOf(c, topic),
        base: (topic.weight * raw[i]) / sum,
        types: new Float64Array(0),
        hours: topic.key === 'noise' || /night/.test(c.code) ? HOURS_NIGHT : c.emergency ? HOURS_EMERGENCY : HOURS_DAY,
        norm,
        textCode: templateFor(c.code) ? c.code : (cats.find((d) => d.code.startsWith(`${c.code}.`) && templateFor(d.code))?.code ?? c.code),
      });
    });
  }
  out.sort((a, b) => a.category.id - b.category.id);
  const yearly = out.map((c) => c.base * (c.season.reduce((a, b) => a + b, 0) / 12));
  const total = yearly.reduce((a, b) => a + b, 0);
  const mixes = typeMix(
    out.map((c) => typeAffinity(c.category, c.topic)),
    yearly.map((y) => y / total),
  );
  out.forEach((c, i) => (c.types = cumulative(mixes[i])));
  return out;
}

/** Mass of an hourly profile between two local hours (fractional, 0..24). */
function hourMass(hours: readonly number[], from: number, to: number): number {
  let m = 0;
  for (let h = Math.floor(from); h < Math.min(24, Math.ceil(to)); h++) m += hours[h] * (Math.min(to, h + 1) - Math.max(from, h));
  return m;
}

/** A local hour (fractional) in [from, to) drawn from an hourly profile. */
function sampleHour(rng: Rng, hours: readonly number[], from: number, to: number): number {
  let x = rng.float() * hourMass(hours, from, to);
  for (let h = Math.floor(from); h < Math.min(24, Math.ceil(to)); h++) {
    const lo = Math.max(from, h);
    const width = Math.min(to, h + 1) - lo;
    const m = hours[h] * width;
    if (x < m) return lo + (x / m) * width;
    x -= m;
  }
  return to - 1e-9;
}

function monthOf(date: string): number {
  return Number(date.slice(5, 7));
}

/** Storms, cold snaps, thaws and burst mains: seeded, so the same seed replays the same year. */
function cityEvents(rng: Rng, days: Day[], places: CityPlaces): void {
  days.forEach((d, i) => {
    const m = monthOf(d.date);
    const add = (k: number, e: DayEffect) => days[i + k]?.effects.push(e);
    if (m >= 5 && m <= 8 && rng.chance(0.035)) {
      add(0, { match: /^flooding|storm/, mult: rng.range(6, 12) });
      add(1, { match: /^flooding|storm/, mult: 2.5 });
      add(0, { match: /fallen|wire_down|outage|roof|basement/, mult: 3 });
    }
    if ((m === 12 || m <= 2) && rng.chance(0.02)) {
      for (let k = 0, n = rng.int(3, 5); k < n; k++) {
        add(k, { match: /^heating/, mult: 1.8 });
        add(k, { match: /snow|(^|[._])ice|main_burst/, mult: 2.5 });
      }
    }
    if ((m === 2 || m === 3) && rng.chance(0.04)) {
      add(0, { match: /melt|^flooding/, mult: 3 });
      add(1, { match: /melt|^flooding/, mult: 2 });
    }
    if (rng.chance(0.012)) {
      const at = places.populated(rng);
      const spot = {
        lng: at.lng,
        lat: at.lat,
        sigmaM: rng.range(200, 350),
        share: 0.7,
        address: places.addressAt(rng, at.lng, at.lat, at.district),
      };
      add(0, { match: /^cold_water/, mult: rng.range(3, 5), spot });
    }
  });
}

function historyStart(now: Date, months: number): number {
  const d = new Date(now.getTime());
  const whole = Math.floor(months);
  d.setUTCMonth(d.getUTCMonth() - whole);
  return d.getTime() - (months - whole) * 30.44 * DAY;
}

function buildDays(start: number, now: number, city: SeedCity, rng: Rng): Day[] {
  const days: Day[] = [];
  const last = localDate(new Date(now), city.zone);
  let date = localDate(new Date(start), city.zone);
  for (;;) {
    // Local midnights in the city's zone: a day of a change of clocks lasts 23 or 25 hours.
    const bounds = dayBounds(date, city.zone);
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    let f = WEEKDAY[dow];
    if (city.calendar.workdays.has(date)) f = 1;
    else if (city.calendar.holidays.has(date)) f = 0.55;
    days.push({
      date,
      start: bounds.start,
      from: Math.max(start, bounds.start),
      to: Math.min(now, bounds.end),
      factor: f * Math.exp(0.12 * rng.normal()),
      effects: [],
    });
    if (date === last) break;
    date = nextDate(date);
  }
  return days;
}

export function* generateHistory(opts: GenerateOptions, city: SeedCity): Generator<SeedIncident> {
  const { count, months } = opts;
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a whole number ≥ 0, got ${count}`);
  if (!(months > 0)) throw new Error(`months must be > 0, got ${months}`);
  if (!city.categories.length) throw new Error('The city has no categories: load a city pack first');
  const now = opts.now.getTime();
  const start = historyStart(opts.now, months);
  const seed = String(opts.seed);

  // Separate streams: the city's layout and events do not change with `count`.
  const layout = new Rng(`${seed}:layout`);
  const places = new CityPlaces(layout, city.districts);
  const options = choices(city, layout);
  const hotspots = new Map<string, Hotspot[]>();
  const lateBySphere = new Map<string, number>();
  for (const sphere of [...new Set(options.map((c) => c.sphere))].sort()) {
    hotspots.set(sphere, places.hotspots(layout, layout.int(2, 4)));
    lateBySphere.set(sphere, 0.2 * layout.range(0.5, 1.5));
  }
  const lateByDistrict = new Map(city.districts.map((d) => [d.id, layout.range(0.75, 1.3)]));

  const days = buildDays(start, now, city, new Rng(`${seed}:days`));
  cityEvents(new Rng(`${seed}:events`), days, places);

  const span = Math.max(now - start, 1);
  // A day's table of category weights: season × effects × weekday (emergencies ignore weekdays).
  const table = (d: Day) => {
    const doy = (Date.parse(`${d.date}T00:00:00Z`) - Date.parse(`${d.date.slice(0, 4)}-01-01T00:00:00Z`)) / DAY;
    return cumulative(
      options.map((c) => {
        let w = c.base * seasonLevel(c.season, doy) * (c.category.emergency ? 1 : d.factor);
        for (const e of d.effects) if (e.match.test(c.category.code)) w *= e.mult;
        return w;
      }),
    );
  };
  const coverage = (d: Day) => {
    const from = wallHour(d.from, d.date, city.zone);
    const to = wallHour(d.to, d.date, city.zone);
    return to > from ? hourMass(HOURS_DAY, from, to) / hourMass(HOURS_DAY, 0, 24) : 0;
  };
  // Day volumes: weight × growth of the centre's use × covered share of the day; rounded so the total is exact.
  const volume = days.map((d) => {
    const t = table(d);
    const growth = 0.85 + 0.25 * ((d.start - start) / span);
    return t[t.length - 1] * growth * coverage(d);
  });
  const totalVolume = volume.reduce((a, b) => a + b, 0);

  const rng = new Rng(`${seed}:rows`);
  const dueByDay = new Map<string, number>();
  let cum = 0;
  let emitted = 0;
  for (let i = 0; i < days.length; i++) {
    cum += volume[i];
    const upto = i === days.length - 1 ? count : Math.round((count * cum) / (totalVolume || 1));
    const n = upto - emitted;
    if (n <= 0) continue;
    emitted = upto;
    const d = days[i];
    const t = table(d);
    const from = wallHour(d.from, d.date, city.zone);
    const to = wallHour(d.to, d.date, city.zone);
    const drafts: { choice: Choice; at: number }[] = [];
    for (let k = 0; k < n; k++) {
      const choice = options[rng.fromCumulative(t)];
      const at = Math.min(d.to, Math.max(d.from, Math.floor(atWallHour(d.date, sampleHour(rng, choice.hours, from, to), city.zone))));
      drafts.push({ choice, at });
    }
    drafts.sort((a, b) => a.at - b.at);
    for (const { choice, at } of drafts) yield appeal(rng, choice, at, d);
  }

  // dueAt walks the calendar day by day; a working-day deadline depends only on the local date, so remember it.
  function deadline(created: Date, norm: Norm): Date {
    if ('hours' in norm) return dueAt(created, norm, city.calendar, city.zone);
    const key = `${localDate(created, city.zone)}:${norm.workingDays}`;
    let due = dueByDay.get(key);
    if (due === undefined) dueByDay.set(key, (due = dueAt(created, norm, city.calendar, city.zone).getTime()));
    return new Date(due);
  }

  /** The place of an appeal, and the address of its hotspot when it has one. */
  function place(r: Rng, choice: Choice, at: number, d: Day): { place: Place; address: Address | null } {
    for (const e of d.effects) {
      if (e.spot && e.match.test(choice.category.code) && r.chance(e.spot.share)) {
        const p = places.near(r, e.spot.lng, e.spot.lat, e.spot.sigmaM);
        if (p) return { place: p, address: e.spot.address };
      }
    }
    const spots = hotspots.get(choice.sphere) ?? [];
    const progress = (at - start) / span;
    const weights = spots.map((s) => s.weight * s.activity(progress));
    const all = spots.reduce((a, s) => a + s.weight, 0);
    const share = Math.min(0.9, (choice.topic.hotspotShare * weights.reduce((a, b) => a + b, 0)) / (all || 1));
    if (spots.length && r.chance(share)) {
      const s = spots[r.fromCumulative(cumulative(weights))];
      const p = places.near(r, s.lng, s.lat, s.sigmaM);
      if (p) return { place: p, address: s.address };
    }
    return { place: places.populated(r), address: null };
  }

  function appeal(r: Rng, choice: Choice, at: number, d: Day): SeedIncident {
    const c = choice.category;
    const type = TYPES[r.fromCumulative(choice.types)];
    const localHour = wallHour(at, d.date, city.zone);
    const office = localHour >= 9 && localHour < 18 && isWorkingDay(d.date, city.calendar);
    const channel: Channel = r.weighted(office ? CHANNELS_OFFICE : CHANNELS_AFTER_HOURS);
    const reporter = makeReporter(r, channel);
    const { place: p, address: spotAddress } = place(r, choice, at, d);
    const addr = spotAddress && r.chance(0.65) ? spotAddress : places.addressAt(r, p.lng, p.lat, p.district);
    const kazakh = reporter.kazakh ? r.chance(0.45) : r.chance(0.04);
    const address = kazakh ? addr.kk : addr.ru;
    const created = new Date(at);
    const due = deadline(created, choice.norm);
    const life = live(r, {
      created: at,
      due: due.getTime(),
      now,
      type,
      emergency: c.emergency,
      workingDayNorm: 'workingDays' in choice.norm,
      lateChance: (lateBySphere.get(choice.sphere) ?? 0.2) * (lateByDistrict.get(p.district.id) ?? 1),
      outsideCompetence: /redirect|out_of_competence/.test(c.code),
      calendar: city.calendar,
      zone: city.zone,
      atIntake: channel === 'phone' || channel === 'walk_in' || channel === 'web' || channel === 'app',
    });
    return {
      type,
      category_id: c.id,
      channel,
      status: life.status,
      resolution: life.resolution,
      priority: c.priority,
      description: describe(r, {
        category: c,
        templateCode: choice.textCode,
        kazakh,
        question: type === 'information_request',
        urgent: c.emergency,
        address,
      }),
      address,
      lng: p.lng,
      lat: p.lat,
      district_id: p.district.id,
      created_at: created,
      assigned_at: life.assigned_at,
      started_at: life.started_at,
      resolved_at: life.resolved_at,
      closed_at: life.closed_at,
      due_at: due,
      rating: life.rating,
      escalation_level: life.escalation_level,
      reassign_count: life.reassign_count,
      reporter_count: life.reporter_count,
      updated_at: life.updated_at,
      reporter: { name: reporter.name, phone: reporter.phone, contact: reporter.contact },
      events: life.events,
    };
  }
}
