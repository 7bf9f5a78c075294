/**
 * Bulk history for the benchmarks: millions of appeals written by set-based SQL on PostgreSQL +
 * PostGIS (generate_series, INSERT ... SELECT in batches of 500,000), not through the API and
 * not through the row-at-a-time demo generator.
 *
 *   npx tsx test/bench/bulk.ts --url postgres://…/jardem_bench_10m --count 10000000 [--months 48]
 *
 * What it writes: appeals spread over `months` up to now, at places drawn from 40,000 random
 * points inside the districts (weighted by population, skewed so that some places repeat a lot,
 * as real addresses do), categories, types and channels mixed, deadlines from each category's
 * norm, and a backlog that depends on age: most of the last week open, a part of the last month,
 * a thin tail of older overdue ones — about 1–1.5 % open whatever the size. The district is
 * assigned by a spatial join (the same rule as the trigger: lowest id on a boundary), the
 * service by route_service per (category, district).
 *
 * How: the session runs with session_replication_role = replica, which skips the per-row
 * triggers (district, live events, rollups — live events also honour jardem.bulk_load, set as
 * well) and foreign-key checks; secondary indexes are dropped and rebuilt after the load; the
 * rollups are rebuilt once with incident_rollup_rebuild(); then VACUUM ANALYZE, so that
 * index-only scans see an all-visible table. Audit events and reporters are not generated:
 * no measured read touches them (the POST benchmark writes its own).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';

export interface BulkOptions {
  url: string;
  count: number;
  months: number;
  log?: (msg: string) => void;
}

/** Creates the database if it does not exist. */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^\w+$/.test(name)) throw new Error(`unexpected database name "${name}"`);
  const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
    if (!exists) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

const BATCH = 500_000;

/** Generates `count` appeals unless the database already holds exactly that many. */
export async function ensureBulkHistory(opts: BulkOptions): Promise<{ generated: boolean; count: number }> {
  const say = opts.log ?? ((m: string) => console.log(m));
  await ensureDatabaseExists(opts.url);
  const pool = createPool(opts.url, 2);
  try {
    await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 0 });
    // Appeals a benchmark added (ids past the generated ones) go; the generated ones stay.
    const { rows: kept } = await pool.query<{ n: number; extra: number }>(
      'SELECT count(*) FILTER (WHERE id <= $1)::bigint AS n, count(*) FILTER (WHERE id > $1)::bigint AS extra FROM incidents',
      [opts.count],
    );
    if (kept[0].n === opts.count && kept[0].extra > 0) await pool.query('DELETE FROM incidents WHERE id > $1', [opts.count]);
    const have = kept[0].n + (kept[0].n === opts.count ? 0 : kept[0].extra);
    if (have === opts.count) return { generated: false, count: have };
    say(`Generating ${opts.count.toLocaleString('en')} appeals over ${opts.months} months (have ${have.toLocaleString('en')})...`);
    const t0 = Date.now();
    const c = await pool.connect();
    try {
      await c.query(`SET session_replication_role = replica; SET synchronous_commit = off; SET jardem.bulk_load = 'on';
                     SET maintenance_work_mem = '512MB'; SET work_mem = '64MB'`);
      // Earlier interrupted runs may have left their saved index definitions: restore first.
      await c.query(`CREATE TABLE IF NOT EXISTS bench_saved_indexes (name text PRIMARY KEY, def text NOT NULL)`);
      await c.query('TRUNCATE incidents CASCADE');
      await c.query(`DELETE FROM incident_rollup; DELETE FROM incident_channel_rollup; DELETE FROM live_events`);
      await c.query(`INSERT INTO bench_saved_indexes (name, def)
                     SELECT i.relname, pg_get_indexdef(x.indexrelid)
                       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                      WHERE x.indrelid = 'incidents'::regclass
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
                     ON CONFLICT (name) DO NOTHING`);
      const saved = (await c.query<{ name: string; def: string }>('SELECT name, def FROM bench_saved_indexes ORDER BY name')).rows;
      for (const s of saved) await c.query(`DROP INDEX IF EXISTS ${s.name}`);

      await c.query(`SELECT setseed(0.2026)`);
      await c.query(`DROP TABLE IF EXISTS bench_places, bench_cats, bench_routes`);
      // Places: random points inside the districts, as many per district as its share of people.
      await c.query(`CREATE UNLOGGED TABLE bench_places AS
        WITH d AS (SELECT id, geom, coalesce(population, 1)::float8 / sum(coalesce(population, 1)) OVER () AS share FROM districts)
        SELECT (row_number() OVER (ORDER BY random()) - 1)::int AS k, ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat
          FROM d CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(d.geom, greatest(1, round(40000 * d.share)::int), 7)) p`);
      await c.query(`CREATE UNIQUE INDEX ON bench_places (k)`);
      const places = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_places')).rows[0].n;
      await c.query(`CREATE UNLOGGED TABLE bench_cats AS
        SELECT (row_number() OVER (ORDER BY c.id) - 1)::int AS ord, c.id, c.priority,
               coalesce(make_interval(hours => c.norm_hours), make_interval(days => round(c.norm_working_days * 1.4)::int),
                        interval '5 days') AS norm, c.name_ru
          FROM categories c
         WHERE c.active AND c.depth >= 1 AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id AND k.active)`);
      const cats = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_cats')).rows[0].n;
      await c.query(`CREATE UNLOGGED TABLE bench_routes AS
        SELECT c.id AS category_id, d.id AS district_id, route_service(c.id, d.id) AS service_id
          FROM bench_cats c CROSS JOIN districts d`);
      const prefix =
        (await c.query<{ p: string | null }>(`SELECT value->>'numberPrefix' AS p FROM city_settings WHERE key = 'city'`)).rows[0]?.p ??
        '109';

      const n = opts.count;
      for (let lo = 1; lo <= n; lo += BATCH) {
        const hi = Math.min(n, lo + BATCH - 1);
        await c.query(
          `INSERT INTO incidents (id, number, type, category_id, channel, status, resolution, priority, description, address,
                                  geom, district_id, service_id, reporter_count, rating, created_at, assigned_at, started_at,
                                  resolved_at, closed_at, due_at, updated_at, version)
           SELECT r.i, $4 || '-' || to_char(r.created_at, 'YYYY') || '-' || lpad(r.i::text, 7, '0'),
                  r.type, c.id, r.channel, s.status, s.resolution, c.priority,
                  c.name_ru || ': ' || (ARRAY['не работает с утра', 'жители просят срочно принять меры',
                     'повторное обращение, прошлое не решено', 'проблема длится несколько дней',
                     'опасно для детей и пожилых', 'просим выехать и проверить на месте',
                     'заявитель готов показать место', 'ситуация ухудшается после дождя'])[1 + floor(r.u4 * 8)::int],
                  'ул. ' || (ARRAY['Абая', 'Толе би', 'Жамбыла', 'Сулейменова', 'Байзак батыра', 'Казыбек би', 'Ниеткалиева',
                     'Айтеке би'])[1 + floor(r.u5 * 8)::int] || ', ' || (1 + floor(r.u6 * 180))::int,
                  pt.geom, dd.id, rt.service_id, 1 + (r.u7 < 0.05)::int,
                  CASE WHEN s.status = 'closed' AND r.u8 < 0.3 THEN 1 + floor(r.u9 * 5)::int END,
                  r.created_at, s.assigned_at, s.started_at, s.resolved_at, s.closed_at, r.created_at + c.norm,
                  greatest(r.created_at, s.assigned_at, s.started_at, s.resolved_at, s.closed_at), 1
             FROM (SELECT g AS i,
                          now() - ($2::float8 - g + random()) * ($3::float8 / $2::float8) * interval '1 day' AS created_at,
                          ($2::float8 - g) * ($3::float8 / $2::float8) AS age_days,
                          floor(random() * $5)::int AS cat_ord, floor($6 * power(random(), 2.5))::int AS place_k,
                          (ARRAY['complaint', 'complaint', 'complaint', 'service_request', 'service_request', 'problem',
                                 'problem', 'incident', 'information_request', 'information_request'])[1 + floor(random() * 10)::int] AS type,
                          (ARRAY['phone', 'phone', 'phone', 'phone', 'telegram', 'telegram', 'whatsapp', 'web', 'app',
                                 'app', 'facebook', 'walk_in'])[1 + floor(random() * 12)::int] AS channel,
                          random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5, random() AS u6,
                          random() AS u7, random() AS u8, random() AS u9, random() AS ux, random() AS uy
                     FROM generate_series($1::bigint, $7::bigint) g) r
             JOIN bench_cats c ON c.ord = r.cat_ord
             JOIN bench_places p ON p.k = r.place_k
            CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(p.lng + (r.ux - 0.5) * 0.0006, p.lat + (r.uy - 0.5) * 0.0004), 4326) AS geom) pt
             LEFT JOIN LATERAL (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, pt.geom) ORDER BY d.id LIMIT 1) dd ON true
             LEFT JOIN bench_routes rt ON rt.category_id = c.id AND rt.district_id = dd.id
            CROSS JOIN LATERAL (
              -- Open with a probability that falls with age; otherwise closed (93 %) or rejected.
              SELECT CASE WHEN r.u1 < CASE WHEN r.age_days < 7 THEN 0.85 WHEN r.age_days < 30 THEN 0.4
                                           WHEN r.age_days < 180 THEN 0.01 ELSE 0.0005 END
                          THEN (ARRAY['new', 'assigned', 'assigned', 'in_progress', 'in_progress', 'in_progress', 'in_progress',
                                      'resolved', 'reopened', 'new'])[1 + floor(r.u2 * 10)::int]
                          WHEN r.u2 < 0.93 THEN 'closed' ELSE 'rejected' END AS status) st
            CROSS JOIN LATERAL (
              SELECT st.status,
                     CASE WHEN st.status = 'closed' THEN (ARRAY['fixed', 'fixed', 'fixed', 'fixed', 'consulted', 'not_confirmed'])[1 + floor(r.u3 * 6)::int]
                          WHEN st.status = 'rejected' THEN (ARRAY['duplicate', 'out_of_competence', 'spam'])[1 + floor(r.u3 * 3)::int]
                          WHEN st.status = 'resolved' THEN 'fixed' END AS resolution,
                     CASE WHEN st.status <> 'new' THEN least(now(), r.created_at + (5 + r.u3 * 120) * interval '1 minute') END AS assigned_at,
                     CASE WHEN st.status NOT IN ('new', 'assigned') THEN least(now(), r.created_at + (60 + r.u3 * 600) * interval '1 minute') END AS started_at,
                     CASE WHEN st.status IN ('resolved', 'closed', 'rejected')
                          THEN least(now(), r.created_at + c.norm * (0.1 + 1.3 * r.u3 * r.u3)) END AS resolved_at,
                     CASE WHEN st.status IN ('closed', 'rejected')
                          THEN least(now(), r.created_at + c.norm * (0.1 + 1.3 * r.u3 * r.u3) + r.u9 * interval '3 days') END AS closed_at) s`,
          [lo, n, opts.months * 30.44, prefix, cats, places, hi],
        );
        say(`  ${hi.toLocaleString('en')} rows, ${Math.round((hi / (Date.now() - t0)) * 1000).toLocaleString('en')} rows/s`);
      }
      await c.query(`SELECT setval('incidents_id_seq', $1), setval('incident_number_seq', $1)`, [n]);
      await c.query(`SELECT nextval('incident_changes_seq')`);
      for (const s of saved) {
        const t1 = Date.now();
        await c.query(s.def);
        say(`  index ${s.name}: ${((Date.now() - t1) / 1000).toFixed(0)} s`);
      }
      await c.query('DROP TABLE bench_saved_indexes, bench_places, bench_cats, bench_routes');
      const t2 = Date.now();
      await c.query('SET session_replication_role = origin');
      await c.query('SELECT incident_rollup_rebuild()');
      say(`  rollups rebuilt: ${((Date.now() - t2) / 1000).toFixed(0)} s`);
      // The backlog's copy and, from it, the city tiles' cells (open_incident_points_rebuild()
      // calls open_incident_cells_rebuild(), migration 028; said again for a clear record).
      await c.query('SELECT open_incident_points_rebuild()');
      await c.query('SELECT open_incident_cells_rebuild()');
      await c.query('VACUUM ANALYZE incidents');
      await c.query('VACUUM ANALYZE incident_rollup');
      await c.query('VACUUM ANALYZE incident_channel_rollup');
      await c.query('VACUUM ANALYZE open_incident_points');
      await c.query('VACUUM ANALYZE open_incident_cells');
    } finally {
      c.release();
    }
    say(`Generated ${opts.count.toLocaleString('en')} appeals in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return { generated: true, count: opts.count };
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'postgres://postgres:postgres@127.0.0.1:5432/jardem_bench_1m' },
      count: { type: 'string', default: '1000000' },
      months: { type: 'string', default: '48' },
    },
  });
  await ensureBulkHistory({ url: values.url, count: Number(values.count), months: Number(values.months) });
}
