/**
 * npx tsx test/bench/outages.ts [postgres admin url] [--outages 1000] [--calls 300] [--keep]
 *
 * The outage check at intake measured on a database of its own (`jardem_bench_outages`, created
 * on the server of the URL, default TEST_DATABASE_URL or the local 5432 cluster), with the Taraz
 * pack and `--outages` outages (discs of 100–600 m at random points of the city, a random service
 * each, three in four active):
 *
 * 1. EXPLAIN ANALYZE of the point-in-outage query (server/outages/queries.ts `outageAt`): the plan
 *    must use the open outages' GiST index.
 * 2. p50/p95 of that query and of the banner's list query (`GET /api/outages?at=&category=&active=true`,
 *    listOutages) at random points of the city, one at a time, in process.
 * 3. p50/p95 of registering one appeal (createIncident, one at a time) without an outage and
 *    answered from an outage (the check, the link and the call count in its transaction).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { prepareDatabase } from '../../server/boot.ts';
import { getCatalog } from '../../server/catalog.ts';
import { createPool } from '../../server/db/pool.ts';
import { createIncident } from '../../server/lifecycle/intake.ts';
import { listOutages, outageAt } from '../../server/outages/queries.ts';
import { OutageListSchema } from '../../server/outages/schema.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    outages: { type: 'string', default: '1000' },
    calls: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
  },
});
const adminUrl = positionals[0] ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const NAME = 'jardem_bench_outages';
const N = Number(values.outages);
const CALLS = Number(values.calls);

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
if (!values.keep) {
  await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${NAME}`);
}
await admin.end();
const url = new URL(adminUrl);
url.pathname = `/${NAME}`;
const pool = createPool(url.toString(), 4);
await prepareDatabase(pool, { city: 'taraz', demo: false, demoCount: 0 });

// ---------------------------------------------------------------- the outages
await pool.query('TRUNCATE outages CASCADE');
await pool.query(
  `WITH pts AS (SELECT row_number() OVER () AS n, (ST_Dump(ST_GeneratePoints((SELECT ST_Union(geom) FROM districts), $1, 18))).geom AS p)
   INSERT INTO outages (kind, geom, starts_at, expected_end_at, ended_at, notice_ru)
   SELECT CASE WHEN n % 3 = 0 THEN 'planned' ELSE 'emergency' END,
          ST_Multi(ST_Buffer(p::geography, 100 + (n * 37 % 500))::geometry),
          now() - interval '2 hours', now() + interval '6 hours',
          CASE WHEN n % 4 = 0 THEN now() - interval '1 hour' END,
          'Bench outage ' || n
     FROM pts`,
  [N],
);
await pool.query(
  `INSERT INTO outage_services (outage_id, service_id)
   SELECT o.id, (SELECT s.id FROM services s ORDER BY s.id OFFSET (o.id % (SELECT count(*) FROM services)) LIMIT 1) FROM outages o`,
);
await pool.query('ANALYZE outages; ANALYZE outage_services');

/** Random points in the city, [lng, lat], with their district. */
const { rows: points } = await pool.query<{ lng: number; lat: number; district: number }>(
  `SELECT ST_X(p) AS lng, ST_Y(p) AS lat, (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, p) ORDER BY d.id LIMIT 1) AS district
     FROM (SELECT (ST_Dump(ST_GeneratePoints((SELECT ST_Union(geom) FROM districts), $1, 5))).geom AS p) x`,
  [CALLS * 4],
);
const category = (await pool.query<{ id: number; code: string }>(`SELECT id, code FROM categories WHERE code = 'heating.no_heating'`))
  .rows[0];

// ---------------------------------------------------------------- 1. the plan
const p0 = points[0];
const plan = await pool.query(
  `EXPLAIN (ANALYZE, BUFFERS)
   SELECT o.id FROM outages o
    WHERE o.ended_at IS NULL AND o.starts_at <= now()
      AND ST_Intersects(o.geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))
      AND EXISTS (SELECT 1 FROM outage_services os WHERE os.outage_id = o.id AND os.service_id = route_service($3::int, $4::int))
    ORDER BY o.expected_end_at DESC, o.id LIMIT 1`,
  [p0.lng, p0.lat, category.id, p0.district],
);
console.log(`\n1. EXPLAIN ANALYZE of the point-in-outage query, ${N} outages:\n`);
console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));

// ---------------------------------------------------------------- 2. the queries
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const summary = (label: string, xs: number[]) =>
  console.log(`${label.padEnd(52)} n=${xs.length}  p50 ${pct(xs, 0.5).toFixed(2)} ms  p95 ${pct(xs, 0.95).toFixed(2)} ms`);

const catalog = await getCatalog(pool);
const check: number[] = [];
const list: number[] = [];
for (const p of points.slice(0, CALLS)) {
  let t = performance.now();
  await outageAt(pool, { lng: p.lng, lat: p.lat, categoryId: category.id, districtId: p.district });
  check.push(performance.now() - t);
  const q = OutageListSchema.parse({ active: 'true', at: `${p.lng},${p.lat}`, category: category.code });
  t = performance.now();
  await listOutages(pool, catalog, q, new Date());
  list.push(performance.now() - t);
}
console.log('\n2. Queries at random points of the city, one at a time:\n');
summary('outageAt (the check in the intake transaction)', check);
summary('listOutages at=&category=&active=true (the banner)', list);

// ---------------------------------------------------------------- 3. intake
const { rows: inside } = await pool.query<{ id: string; lng: number; lat: number }>(
  `SELECT o.id, ST_X(ST_PointOnSurface(o.geom)) AS lng, ST_Y(ST_PointOnSurface(o.geom)) AS lat FROM outages o
    WHERE o.ended_at IS NULL AND EXISTS (SELECT 1 FROM outage_services os WHERE os.outage_id = o.id
          AND os.service_id = route_service($1, (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ST_PointOnSurface(o.geom)) ORDER BY d.id LIMIT 1)))
    ORDER BY o.id LIMIT $2`,
  [category.id, CALLS],
);
const body = (lng: number, lat: number) => ({
  type: 'complaint' as const,
  category: category.code,
  channel: 'phone' as const,
  description: 'Bench: no heating',
  location: { type: 'Point' as const, coordinates: [lng, lat] as [number, number] },
});
const plain: number[] = [];
const linked: number[] = [];
for (const p of points.slice(CALLS, 2 * CALLS)) {
  const t = performance.now();
  await createIncident(pool, body(p.lng, p.lat), { id: null });
  plain.push(performance.now() - t);
}
for (const o of inside) {
  const t = performance.now();
  await createIncident(pool, { ...body(o.lng, o.lat), outage: Number(o.id) }, { id: null });
  linked.push(performance.now() - t);
}
console.log('\n3. Registering one appeal at a time (createIncident, in process):\n');
summary('without an outage', plain);
summary('answered from an outage (check + link + count)', linked);
const { rows: counted } = await pool.query<{ n: number }>('SELECT sum(call_count)::int AS n FROM outages');
console.log(`\ncalls counted on outages: ${counted[0].n} (expected ${inside.length})`);

await pool.end();
