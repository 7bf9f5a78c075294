/**
 * LOG_LEVEL=silent npx tsx test/bench/analytics.ts [--engine pglite|postgres] [--url postgres://…] [--runs 15]
 *
 * Times the officials' analytics through the real app, in process (app.request: routing,
 * validation, SQL, statistics, JSON; no socket, no compression): GET /api/hotspots for 30 and
 * 90 days, /api/hotspots/clusters, and the /api/stats endpoints for 30 days and for a year.
 *
 * - `--engine pglite` (default): a temporary embedded database with the API tests' 3,000-appeal
 *   demo history.
 * - `--engine postgres`: a temporary database with the same history on the server at
 *   BENCH_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres), dropped after.
 * - `--url`: an existing database as it is (migrated first, which backfills the rollups once),
 *   e.g. jardem_bench after `npm run bench -- --count 200000`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../../server/app.ts';
import { prepareDatabase } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { startEmbeddedDatabase } from '../../server/db/embedded.ts';
import { createPool } from '../../server/db/pool.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    url: { type: 'string' },
    runs: { type: 'string', default: '15' },
  },
});
const runs = Number(values.runs);

async function open(): Promise<{ url: string; engine: 'pglite' | 'postgres'; close: () => Promise<void> }> {
  if (values.url) return { url: values.url, engine: 'postgres', close: async () => undefined };
  if (values.engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'jardem-bench-'));
    const db = await startEmbeddedDatabase(dir);
    return {
      url: db.url,
      engine: 'pglite',
      close: async () => {
        await db.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  const name = `jardem_bench_analytics_${process.pid}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
  return {
    url,
    engine: 'postgres',
    close: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

const db = await open();
const pool = createPool(db.url, 4);
const t0 = performance.now();
await prepareDatabase(pool, { city: 'taraz', demo: !values.url, demoCount: values.url ? 0 : 3000, seed: 42 });
const prepared = performance.now() - t0;
const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents');
const app = createApp({ pool, engine: db.engine, config: loadConfig({ JARDEM_DEMO: 'false', LOG_LEVEL: 'silent' }) });

const DAY = 86_400_000;
const now = Date.now();
const days = (n: number) => new Date(now - n * DAY).toISOString();
const month = `from=${days(30)}`;
const year = `from=${days(365)}`;
const cases: [string, string][] = [
  ['hotspots, 30 days', `/api/hotspots?${month}`],
  ['hotspots, 30 days, per capita', `/api/hotspots?${month}&normalize=population`],
  ['hotspots, 90 days, 250 m cells', `/api/hotspots?from=${days(90)}&cell=250`],
  ['hotspots, 30 days, one sphere', `/api/hotspots?${month}&category=heating`],
  ['clusters, 30 days', `/api/hotspots/clusters?${month}`],
  ['clusters, 90 days', `/api/hotspots/clusters?from=${days(90)}`],
  ['stats/summary, 30 days', `/api/stats/summary`],
  ['stats/summary, a year', `/api/stats/summary?${year}`],
  ['stats/timeseries, a year by month', `/api/stats/timeseries?${year}&interval=month`],
  ['stats/timeseries, a year by week', `/api/stats/timeseries?${year}&interval=week`],
  ['stats/timeseries, a year by day', `/api/stats/timeseries?${year}&interval=day`],
  ['stats/by-category, a year, closed', `/api/stats/by-category?${year}&status=closed`],
  ['stats/by-service, a year', `/api/stats/by-service?${year}`],
  ['stats/by-district, a year', `/api/stats/by-district?${year}`],
  ['stats/by-channel, a year', `/api/stats/by-channel?${year}`],
  ['stats/first-call, a year', `/api/stats/first-call?${year}`],
  ['stats/by-district, a year, one sphere', `/api/stats/by-district?${year}&category=heating`],
  ['stats/by-district, a year, a kind (appeals)', `/api/stats/by-district?${year}&category=heating.low_temperature`],
];

const lines: string[] = [];
for (const [name, path] of cases) {
  const times: number[] = [];
  let first = 0;
  let bytes = 0;
  let status = 0;
  for (let i = 0; i < runs + 1; i++) {
    const s = performance.now();
    const res = await app.request(path);
    const body = await res.arrayBuffer();
    // the first run fills caches (catalog, labels, the city's frame and hexagon grid)
    if (i > 0) times.push(performance.now() - s);
    else first = performance.now() - s;
    bytes = body.byteLength;
    status = res.status;
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
  const line = `| ${name} | ${status} | ${first.toFixed(0)} | ${p(0.5)} | ${p(0.95)} | ${(bytes / 1024).toFixed(0)} |`;
  console.log(line);
  lines.push(line);
}
console.log(
  `\n${db.engine}, ${rows[0].n} appeals (prepared in ${(prepared / 1000).toFixed(1)} s); ms in process: the first request, then p50 and p95 of ${runs} more\n`,
);
console.log('| request | status | first ms | p50 ms | p95 ms | KiB |');
console.log('|---|---|---|---|---|---|');
for (const l of lines) console.log(l);
await pool.end();
await db.close();
