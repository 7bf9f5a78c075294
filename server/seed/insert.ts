/**
 * Writing demo history into the database, fast: batches of appeals, each batch one transaction
 * of three set-based statements (incidents, incident_reporters, incident_events) that read
 * their rows from arrays with unnest. Works the same on PostgreSQL + PostGIS and on the
 * embedded PGlite (where statements run one at a time): one connection, no COPY, no temp tables.
 */
import type pg from 'pg';
import type { WorkCalendar } from '../deadlines/due.ts';
import { cityZone } from '../geodata/city-zone.ts';
import { checkout } from '../db/checkout.ts';
import type { SeedCity, SeedIncident } from './types.ts';

export interface InsertProgress {
  inserted: number;
  elapsedMs: number;
}

export interface InsertOptions {
  /** Appeals per transaction (default 2000). */
  batch?: number;
  /** Called after each committed batch. */
  onProgress?: (p: InsertProgress) => void;
  /** Number prefix ("109"); default: the city's numberPrefix setting. */
  numberPrefix?: string;
}

export interface InsertResult {
  inserted: number;
  events: number;
  elapsedMs: number;
}

/** The city as the generator needs it: districts, active categories, calendar and UTC offset. */
export async function loadSeedCity(pool: pg.Pool): Promise<SeedCity> {
  const [districts, categories, days, city] = await Promise.all([
    pool.query<{ id: number; code: string; population: number | null; geojson: string }>(
      'SELECT id, code, population, ST_AsGeoJSON(geom) AS geojson FROM districts ORDER BY id',
    ),
    pool.query<{
      id: number;
      code: string;
      parent_code: string | null;
      sphere_code: string;
      depth: number;
      norm_hours: number | null;
      norm_working_days: number | null;
      priority: number;
      emergency: boolean;
      name_ru: string;
      name_kk: string;
    }>(
      `SELECT c.id, c.code, p.code AS parent_code, coalesce(s.code, c.code) AS sphere_code, c.depth, c.norm_hours,
              c.norm_working_days, c.priority, c.emergency, c.name_ru, c.name_kk
         FROM categories c
         LEFT JOIN categories p ON p.id = c.parent_id
         LEFT JOIN categories s ON s.id = c.sphere_id
        WHERE c.active ORDER BY c.id`,
    ),
    pool.query<{ day: string; kind: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM calendar_days`),
    pool.query<{ value: Record<string, unknown> }>(`SELECT value FROM city_settings WHERE key = 'city'`),
  ]);
  const calendar: WorkCalendar = {
    holidays: new Set(days.rows.filter((d) => d.kind === 'holiday').map((d) => d.day)),
    workdays: new Set(days.rows.filter((d) => d.kind === 'workday').map((d) => d.day)),
  };
  return {
    districts: districts.rows.map((d) => ({ id: d.id, code: d.code, population: d.population, polygon: JSON.parse(d.geojson) })),
    categories: categories.rows.map((c) => ({
      id: c.id,
      code: c.code,
      parentCode: c.parent_code,
      sphereCode: c.sphere_code,
      depth: c.depth,
      normHours: c.norm_hours,
      normWorkingDays: c.norm_working_days,
      priority: c.priority,
      emergency: c.emergency,
      nameRu: c.name_ru,
      nameKk: c.name_kk,
    })),
    calendar,
    // Local times per instant in the city's zone: New York's demo history follows its clocks' changes.
    zone: cityZone(city.rows[0]?.value ?? {}),
  };
}

// Numbers come from incident_number() (the schema's one definition). MATERIALIZED keeps the rows
// in the order of the arrays.
const INSERT_INCIDENTS = `
WITH u AS MATERIALIZED (
  SELECT u.*
    FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[],
                $10::float8[], $11::float8[], $12::int[], $13::int[], $14::int[], $15::int[], $16::int[],
                $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[],
                $22::timestamptz[], $23::timestamptz[])
      AS u(type, category_id, channel, status, resolution, priority, description, address, lng, lat,
           service_id, reporter_count, rating, escalation_level, reassign_count,
           created_at, assigned_at, started_at, resolved_at, closed_at, due_at, updated_at)
)
INSERT INTO incidents (number, type, category_id, channel, status, resolution, priority, description, address, geom,
                       service_id, reporter_count, rating, escalation_level, reassign_count,
                       created_at, assigned_at, started_at, resolved_at, closed_at, due_at, updated_at)
SELECT incident_number($1, created_at), type, category_id, channel, status, resolution,
       priority, description, address, ST_SetSRID(ST_MakePoint(lng, lat), 4326),
       service_id, reporter_count, rating, escalation_level, reassign_count,
       created_at, assigned_at, started_at, resolved_at, closed_at, due_at, updated_at
  FROM u
RETURNING id, district_id`;

const INSERT_REPORTERS = `
INSERT INTO incident_reporters (incident_id, name, phone, contact, created_at)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`;

const INSERT_EVENTS = `
INSERT INTO incident_events (incident_id, at, action, from_status, to_status, note, visibility)
SELECT u.*, default_note_visibility(u.action, u.from_status, u.to_status, NULL)
  FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(incident_id, at, action, from_status, to_status, note)`;

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * Inserts generated appeals with their reporters and events. The service is routed as
 * route_service(category, district) would: looked up once per (category, district) pair, then
 * corrected with route_service itself for any row whose district (set by the trigger) differs
 * from the generator's. Generation of the next batch overlaps the database's work on this one.
 */
export async function insertHistory(pool: pg.Pool, rows: Iterable<SeedIncident>, opts: InsertOptions = {}): Promise<InsertResult> {
  const size = Math.max(1, opts.batch ?? 2000);
  const t0 = performance.now();
  const out = await checkout(pool);
  const client = out.client;
  try {
    const settings = await client.query<{ prefix: string | null }>(
      `SELECT value->>'numberPrefix' AS prefix FROM city_settings WHERE key = 'city'`,
    );
    const prefix = opts.numberPrefix ?? settings.rows[0]?.prefix ?? '109';
    const routes = await client.query<{ category_id: number; district_id: number; service_id: number | null }>(
      'SELECT c.id AS category_id, d.id AS district_id, route_service(c.id, d.id) AS service_id FROM categories c CROSS JOIN districts d',
    );
    const route = new Map(routes.rows.map((r) => [`${r.category_id}:${r.district_id}`, r.service_id]));

    const it = rows[Symbol.iterator]();
    // Draws a batch in slices, giving the event loop a turn between them so that the previous
    // batch's statements keep flowing to the database meanwhile.
    const take = async (): Promise<SeedIncident[]> => {
      const out: SeedIncident[] = [];
      while (out.length < size) {
        const r = it.next();
        if (r.done) break;
        out.push(r.value);
        if (out.length % 250 === 0) await new Promise<void>((done) => setImmediate(done));
      }
      return out;
    };

    const write = async (batch: SeedIncident[]): Promise<number> => {
      const n = batch.length;
      const cols = Array.from({ length: 22 }, () => new Array<unknown>(n));
      for (let i = 0; i < n; i++) {
        const r = batch[i];
        const v = [
          r.type,
          r.category_id,
          r.channel,
          r.status,
          r.resolution,
          r.priority,
          r.description,
          r.address,
          r.lng,
          r.lat,
          route.get(`${r.category_id}:${r.district_id}`) ?? null,
          r.reporter_count,
          r.rating,
          r.escalation_level,
          r.reassign_count,
          iso(r.created_at),
          iso(r.assigned_at),
          iso(r.started_at),
          iso(r.resolved_at),
          iso(r.closed_at),
          iso(r.due_at),
          iso(r.updated_at),
        ];
        for (let j = 0; j < 22; j++) cols[j][i] = v[j];
      }
      // A demo load can lose its last batches in a crash without harm; it need not wait for each flush.
      await client.query("BEGIN; SET LOCAL synchronous_commit TO off; SET LOCAL jardem.bulk_load TO 'on'");
      try {
        const { rows: ids } = await client.query<{ id: number; district_id: number | null }>(INSERT_INCIDENTS, [prefix, ...cols]);
        if (ids.length !== n) throw new Error(`Inserted ${ids.length} of ${n} appeals`);
        const misrouted = ids.filter((row, i) => row.district_id !== batch[i].district_id).map((row) => row.id);
        if (misrouted.length) {
          await client.query('UPDATE incidents SET service_id = route_service(category_id, district_id) WHERE id = ANY($1::bigint[])', [
            misrouted,
          ]);
        }
        const rep: unknown[][] = [[], [], [], [], []];
        const ev: unknown[][] = [[], [], [], [], [], []];
        batch.forEach((r, i) => {
          const id = ids[i].id;
          for (const [k, value] of [id, r.reporter.name, r.reporter.phone, r.reporter.contact, iso(r.created_at)].entries())
            rep[k].push(value);
          for (const e of r.events) {
            for (const [k, value] of [id, iso(e.at), e.action, e.from_status, e.to_status, e.note].entries()) ev[k].push(value);
          }
        });
        await client.query(INSERT_REPORTERS, rep);
        await client.query(INSERT_EVENTS, ev);
        await client.query('COMMIT');
        return ev[0].length;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    };

    let inserted = 0;
    let events = 0;
    let batch = await take();
    while (batch.length) {
      // Draw the next batch while the database works on this one; settle both before going on.
      const [written, next] = await Promise.allSettled([write(batch), take()]);
      if (written.status === 'rejected') throw written.reason;
      if (next.status === 'rejected') throw next.reason;
      events += written.value;
      inserted += batch.length;
      opts.onProgress?.({ inserted, elapsedMs: performance.now() - t0 });
      batch = next.value;
    }
    return { inserted, events, elapsedMs: performance.now() - t0 };
  } finally {
    out.release();
  }
}
