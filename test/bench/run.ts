/**
 * npm run bench [-- --count 1000000 --connections 1,8,32 --duration 10]
 *
 * Measures the read API against the real PostgreSQL + PostGIS at BENCH_DATABASE_URL (default
 * postgres://postgres:postgres@127.0.0.1:5432/jardem_bench). The database is generated once with
 * the deterministic demo history (`--count` appeals over 48 months) and reused while its size
 * matches. The server runs in its own process; autocannon drives it from this one. For each
 * endpoint the same SQL is also timed directly, and the ratio HTTP ÷ SQL printed.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';
import { generateHistory } from '../../server/seed/generate.ts';
import { insertHistory, loadSeedCity } from '../../server/seed/insert.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200000' },
    months: { type: 'string', default: '48' },
    connections: { type: 'string', default: '1,8,32' },
    duration: { type: 'string', default: '8' },
    port: { type: 'string', default: '18787' },
  },
});
const count = Number(values.count);
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/jardem_bench';

async function ensureDatabase() {
  const target = new URL(url);
  const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.pathname.slice(1)])).rowCount;
  if (!exists) await admin.query(`CREATE DATABASE ${target.pathname.slice(1).replace(/\W/g, '')}`);
  await admin.end();
  const pool = createPool(url, 4);
  await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 0 });
  const have = (await pool.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n;
  if (have !== count) {
    console.log(`Generating ${count} appeals (have ${have})...`);
    await pool.query('TRUNCATE incidents CASCADE');
    const t0 = Date.now();
    const city = await loadSeedCity(pool);
    await insertHistory(pool, generateHistory({ count, months: Number(values.months), seed: 2026, now: new Date() }, city));
    await pool.query('VACUUM ANALYZE incidents');
    console.log(`  ${((count / (Date.now() - t0)) * 1000).toFixed(0)} rows/s`);
  }
  return pool;
}

async function timeSql(pool: pg.Pool, sql: string, params: unknown[], runs = 30) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await pool.query(sql, params);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs * 0.5)];
}

const pool = await ensureDatabase();
const port = Number(values.port);
const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', JARDEM_DEMO: 'false' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/api/health`)).ok) break;
  } catch {
    if (i > 120) throw new Error('server did not start');
  }
  await new Promise((r) => setTimeout(r, 500));
}

const bbox = '71.36,42.88,71.40,42.91';
const cases: { name: string; path: string; sql?: [string, unknown[]] }[] = [
  {
    name: 'GET /api/districts',
    path: '/api/districts',
    sql: [`SELECT district_id, count(*) FROM incidents WHERE is_open GROUP BY district_id`, []],
  },
  {
    name: 'GET /api/incidents?status=open&bbox (first page)',
    path: `/api/incidents?status=open&bbox=${bbox}&limit=100`,
    sql: [
      `SELECT id FROM incidents WHERE is_open AND geom && ST_MakeEnvelope(71.36,42.88,71.40,42.91,4326) ORDER BY created_at DESC, id DESC LIMIT 101`,
      [],
    ],
  },
  { name: 'GET /api/stats/summary', path: '/api/stats/summary' },
  { name: 'GET /api/map/clusters z12', path: '/api/map/clusters?z=12&bbox=71.2,42.8,71.5,43.0' },
];

const rows: string[] = [];
for (const c of cases) {
  const sqlMs = c.sql ? await timeSql(pool, c.sql[0], c.sql[1]) : null;
  for (const connections of values.connections.split(',').map(Number)) {
    const r = await autocannon({ url: base + c.path, connections, duration: Number(values.duration) });
    const line = `| ${c.name} | ${connections} | ${r.latency.p50} | ${r.latency.p97_5} | ${r.latency.p99} | ${Math.round(r.requests.average)} | ${r.non2xx} | ${sqlMs?.toFixed(2) ?? '–'} | ${sqlMs ? (r.latency.p50 / sqlMs).toFixed(1) : '–'} |`;
    console.log(line);
    rows.push(line);
  }
}
console.log(`\n${count} appeals; latency in ms (p97.5 stands for p95: autocannon's nearest percentile)\n`);
console.log('| endpoint | clients | p50 | p97.5 | p99 | req/s | non-2xx | SQL p50 ms | HTTP p50 ÷ SQL |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
server.kill('SIGTERM');
await pool.end();
