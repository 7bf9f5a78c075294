/**
 * npm run bench [-- --size 1m|10m --connections 1,8,32 --duration 8 --only districts,list]
 *
 * The read and write API at Astana's scale, on the real PostgreSQL + PostGIS. The database
 * (`jardem_bench_1m` or `jardem_bench_10m` on BENCH_SERVER_URL, default
 * postgres://postgres:postgres@127.0.0.1:5432) is generated once in bulk SQL (bulk.ts) and
 * reused while it holds exactly that many appeals. The server runs in its own process;
 * autocannon drives it from this one, warm (a short run before each measurement).
 *
 * For every read the same SQL is also run directly: the query module itself is called once
 * with its statements recorded (text and parameters), and those statements are replayed one
 * after another on a plain connection; "SQL p50" is the p50 of their summed time, and the
 * ratio is HTTP p50 ÷ SQL p50. Percentiles are exact, from every response time.
 *
 * Uncached tiles are asked for with a bbox that holds the whole world (so it filters nothing, a
 * new cache key per request), so every request renders. (Before issue 23 part 3 it was a `from`
 * before any appeal; a bbox holding the tile is dropped as no filter, as a plain tile request
 * is, while `from` is a filter of its own.)
 */
import { markOwnSessions } from '../../server/db/statements.ts';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { getCatalog, type Catalog } from '../../server/catalog.ts';
import { createPool } from '../../server/db/pool.ts';
import { districtsWithCounts } from '../../server/districts/queries.ts';
import { hotspots } from '../../server/hotspots/hotspots.ts';
import { listIncidents } from '../../server/incidents/queries.ts';
import { clusters } from '../../server/map/queries.ts';
import { timeSeries } from '../../server/stats/breakdowns.ts';
import { summary } from '../../server/stats/queries.ts';
import { renderIncidentTile } from '../../server/tiles/render.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';
import { ensureBulkHistory } from './bulk.ts';
import { spawnBenchServer } from './server-command.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1m' },
    months: { type: 'string', default: '48' },
    connections: { type: 'string', default: '1,8,32' },
    duration: { type: 'string', default: '8' },
    port: { type: 'string', default: '18787' },
    only: { type: 'string' },
  },
});
const SIZES: Record<string, number> = { '1m': 1_000_000, '10m': 10_000_000 };
const count = SIZES[values.size] ?? Number(values.size);
if (!Number.isInteger(count) || count <= 0) throw new Error(`--size must be 1m, 10m or a number, got "${values.size}"`);
const server = process.env.BENCH_SERVER_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432';
const dbName = `jardem_bench_${values.size in SIZES ? values.size : count}`;
const url = `${server}/${dbName}`;
const connectionsList = values.connections.split(',').map(Number);
const duration = Number(values.duration);
const only = values.only?.split(',');

// --- SQL as the query modules send it -------------------------------------------------------

interface Statement {
  text: string;
  values: unknown[];
}
let recording: Statement[] | null = null;
const originalQuery = pg.Client.prototype.query;
// Records what the modules send, leaving the driver's behaviour as it is.
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [q, v] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
  const text = typeof q === 'string' ? q : q?.text;
  if (recording && typeof text === 'string' && !/^\s*SET\s/i.test(text)) {
    recording.push({ text, values: (typeof q === 'string' ? v : (q.values ?? v)) ?? [] });
  }
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

async function record(fn: () => Promise<unknown>): Promise<Statement[]> {
  recording = [];
  try {
    await fn();
    return recording;
  } finally {
    recording = null;
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** p50 of the statements' summed time, replayed one after another on one connection. */
async function timeSql(client: pg.PoolClient, statements: Statement[], runs = 15): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    for (const s of statements) await client.query(s.text, s.values);
    if (i >= 3) times.push(performance.now() - t0);
  }
  return pct(
    times.sort((a, b) => a - b),
    50,
  );
}

// --- HTTP load ------------------------------------------------------------------------------

interface Load {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  non2xx: number;
  errors: number;
}

type Request = { method?: string; path: string; headers?: Record<string, string>; body?: string };

function load(base: string, make: () => Request, connections: number, seconds: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const first = make();
    const instance = autocannon(
      {
        url: base + first.path,
        connections,
        duration: seconds,
        headers: { 'accept-encoding': 'gzip', ...first.headers },
        requests: [
          {
            setupRequest: (req) => {
              const r = make();
              return {
                ...req,
                method: (r.method ?? 'GET') as 'GET',
                path: r.path,
                headers: { ...req.headers, ...r.headers },
                ...(r.body ? { body: r.body } : {}),
              };
            },
          },
        ],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err) return reject(err);
        times.sort((a, b) => a - b);
        resolve({
          p50: pct(times, 50) ?? NaN,
          p95: pct(times, 95) ?? NaN,
          p99: pct(times, 99) ?? NaN,
          rps: times.length / seconds,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_c: unknown, _code: number, _bytes: number, ms: number) => times.push(ms));
  });
}

// --- the server -----------------------------------------------------------------------------

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function startServer(port: number) {
  const child = spawnBenchServer(url, port);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      if (i > 240) throw new Error('server did not start');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { child, base };
}

// --- the cases ------------------------------------------------------------------------------

interface Case {
  name: string;
  key: string;
  /** Over open appeals only (their cost must not grow with history). */
  open: boolean;
  request: () => Request;
  /** The module call the route makes, for the SQL timing. */
  module?: (pool: pg.Pool, catalog: Catalog) => Promise<unknown>;
}

/** The tile containing [lng, lat] at zoom z. */
function tileAt(lng: number, lat: number, z: number) {
  const n = 2 ** z;
  const x = Math.floor(((lng + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x, y };
}

async function main() {
  const t0 = Date.now();
  await ensureBulkHistory({ url, count, months: Number(values.months) });
  console.log(`Database ${dbName} ready (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  // PostgreSQL: named statements where Jardem names them, as openDatabase allows.
  const pool = markOwnSessions(createPool(url, 4));
  const catalog = await getCatalog(pool);
  const facts = (
    await pool.query<{ open: number; extent: string; category: string; cx: number; cy: number }>(
      `SELECT (SELECT count(*) FROM incidents WHERE is_open)::int AS open,
              (SELECT c.code FROM incidents i JOIN categories c ON c.id = i.category_id WHERE i.is_open
                GROUP BY c.code ORDER BY count(*) DESC, c.code LIMIT 1) AS category,
              (SELECT ST_X(ST_Centroid(ST_Extent(geom))) FROM districts) AS cx,
              (SELECT ST_Y(ST_Centroid(ST_Extent(geom))) FROM districts) AS cy,
              (SELECT concat_ws(',', round(ST_XMin(e)::numeric, 3), round(ST_YMin(e)::numeric, 3), round(ST_XMax(e)::numeric, 3),
                                round(ST_YMax(e)::numeric, 3)) FROM (SELECT ST_Extent(geom)::geometry AS e FROM districts) x) AS extent`,
    )
  ).rows[0];
  console.log(`${count.toLocaleString('en')} appeals, ${facts.open.toLocaleString('en')} open; city extent ${facts.extent}`);

  const cityBbox = facts.extent.split(',').map(Number) as [number, number, number, number];
  const [cx, cy] = [facts.cx, facts.cy];
  const listBbox = [cx - 0.08, cy - 0.05, cx + 0.08, cy + 0.05].map((v) => Math.round(v * 1e4) / 1e4) as [number, number, number, number];
  const listFilter = { status: ['open'] as ('open' | 'new')[], category: [facts.category], bbox: listBbox };
  const listQs = `status=open&category=${facts.category}&bbox=${listBbox.join(',')}&limit=50`;
  // A later page: the cursor after five pages (or the last one there is).
  let cursor: string | undefined;
  for (let i = 0; i < 5; i++) {
    const page = await listIncidents(pool, catalog, listFilter, 50, cursor);
    if (!page.next) break;
    cursor = page.next;
  }
  const z11 = tileAt(cx, cy, 11);
  const z12 = tileAt(cx, cy, 12);
  // z14: the busiest tile near the centre, so that it holds appeals.
  const z14 = tileAt(cx, cy, 14);
  const now = new Date();
  const day = 86_400_000;
  const from30 = new Date(now.getTime() - 30 * day).toISOString();
  const from90 = new Date(now.getTime() - 90 * day).toISOString().slice(0, 10);
  let uniq = 0;
  // An always-true filter with a new value each time: a new tile cache key, the same plan.
  const fresh = () => `bbox=-180,-89.${String(uniq++ % 1_000_000).padStart(6, '0')},180,89`;
  const world: [number, number, number, number] = [-180, -89.000001, 180, 89];

  const all: Case[] = [
    {
      name: 'GET /api/districts',
      key: 'districts',
      open: true,
      request: () => ({ path: '/api/districts' }),
      module: (p, c) => districtsWithCounts(p, c, {}),
    },
    {
      name: 'GET /api/map/clusters z12, whole city',
      key: 'clusters',
      open: true,
      request: () => ({ path: `/api/map/clusters?z=12&bbox=${cityBbox.join(',')}` }),
      module: (p, c) => clusters(p, c, { bbox: cityBbox }, 12),
    },
    {
      name: `MVT z11 aggregate ${z11.x}/${z11.y}, uncached`,
      key: 'tile11',
      open: true,
      request: () => ({ path: `/tiles/incidents/11/${z11.x}/${z11.y}.mvt?${fresh()}` }),
      module: (p, c) => renderIncidentTile(p, c, { status: ['open'], bbox: world }, z11, 'postgis'),
    },
    {
      name: `MVT z12 aggregate ${z12.x}/${z12.y}, uncached`,
      key: 'tile12',
      open: true,
      request: () => ({ path: `/tiles/incidents/12/${z12.x}/${z12.y}.mvt?${fresh()}` }),
      module: (p, c) => renderIncidentTile(p, c, { status: ['open'], bbox: world }, z12, 'postgis'),
    },
    {
      name: `MVT z14 ${z14.x}/${z14.y}, uncached`,
      key: 'tile14',
      open: true,
      request: () => ({ path: `/tiles/incidents/14/${z14.x}/${z14.y}.mvt?${fresh()}` }),
      module: (p, c) => renderIncidentTile(p, c, { status: ['open'], bbox: world }, z14, 'postgis'),
    },
    {
      name: `MVT z14 ${z14.x}/${z14.y}, cached`,
      key: 'tile14c',
      open: true,
      request: () => ({ path: `/tiles/incidents/14/${z14.x}/${z14.y}.mvt` }),
    },
    {
      name: 'GET /api/incidents open+category+bbox, first page',
      key: 'list',
      open: true,
      request: () => ({ path: `/api/incidents?${listQs}` }),
      module: (p, c) => listIncidents(p, c, listFilter, 50),
    },
    {
      name: 'GET /api/incidents open+category+bbox, page 6',
      key: 'list6',
      open: true,
      request: () => ({ path: `/api/incidents?${listQs}${cursor ? `&cursor=${cursor}` : ''}` }),
      module: (p, c) => listIncidents(p, c, listFilter, 50, cursor),
    },
    {
      name: 'GET /api/stats/summary (30 days)',
      key: 'summary',
      open: false,
      request: () => ({ path: '/api/stats/summary' }),
      module: (p, c) => summary(p, c, {}, from30, now.toISOString()),
    },
    {
      name: 'GET /api/stats/timeseries 90 days by day',
      key: 'series',
      open: false,
      request: () => ({ path: `/api/stats/timeseries?from=${from90}&interval=day` }),
      module: (p, c) => timeSeries(p, c, { from: from90 }, 'day', from90, now.toISOString()),
    },
    {
      name: 'GET /api/hotspots (30 days)',
      key: 'hotspots',
      open: false,
      request: () => ({ path: '/api/hotspots' }),
      module: (p, c) =>
        hotspots(p, c, {
          filter: {},
          from: from30,
          to: now.toISOString(),
          cell: 400,
          normalize: 'none',
          skewCorrection: true,
          include: 'all',
        }),
    },
  ];
  const cases = all.filter((c) => !only || only.includes(c.key));

  const port = Number(values.port);
  const { child, base } = await startServer(port);
  let maxRss = 0;
  const rssTimer = setInterval(() => {
    maxRss = Math.max(maxRss, rssOf(child.pid!));
  }, 250);
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const sqlClient = await pool.connect();
  try {
    // Warm: every endpoint once over (the server's code paths, the database's caches).
    for (const c of cases) await load(base, c.request, 4, 2);
    for (const c of cases) {
      let sqlMs: number | null = null;
      if (c.module) {
        const statements = await record(() => c.module!(pool, catalog));
        sqlMs = await timeSql(sqlClient, statements);
      }
      await load(base, c.request, 4, 2); // warm
      for (const connections of connectionsList) {
        const r = await load(base, c.request, connections, duration);
        const row = {
          case: c.key,
          name: c.name,
          connections,
          ...r,
          sqlP50: sqlMs,
          ratio: sqlMs ? r.p50 / sqlMs : null,
          load: loadavg()[0],
        };
        results.push(row);
        const line = `| ${c.name} | ${connections} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${Math.round(r.rps)} | ${r.non2xx + r.errors} | ${sqlMs?.toFixed(2) ?? '–'} | ${row.ratio?.toFixed(2) ?? '–'} |`;
        console.log(line);
        lines.push(line);
      }
    }

    if (!only || only.includes('post')) {
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'dispatcher', password: DEMO_PASSWORD }),
      });
      const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cats = ['roads.pothole', 'heating.no_heating.building', 'lighting', 'garbage'].filter((k) => catalog.categories.has(k));
      let n = 0;
      const post = (): Request => {
        const i = n++;
        return {
          method: 'POST',
          path: '/api/incidents',
          headers: {
            'content-type': 'application/json',
            cookie,
            'x-csrf-token': csrfToken,
            'idempotency-key': `bench-${process.pid}-${i}`,
          },
          body: JSON.stringify({
            type: 'complaint',
            category: cats[i % cats.length],
            channel: 'phone',
            description: `bench appeal ${i}`,
            location: { type: 'Point', coordinates: [cx + ((i % 37) - 18) * 0.002, cy + ((i % 29) - 14) * 0.0015] },
            reporter: { name: 'Bench', phone: '+7 700 000 0000' },
          }),
        };
      };
      for (const connections of connectionsList) {
        const r = await load(base, post, connections, duration);
        results.push({ case: 'post', name: 'POST /api/incidents', connections, ...r, load: loadavg()[0] });
        const line = `| POST /api/incidents | ${connections} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${Math.round(r.rps)} | ${r.non2xx + r.errors} | – | – |`;
        console.log(line);
        lines.push(line);
      }
      // The benchmark's appeals go, so the database keeps its size for the next run (after the
      // server has finished the requests still queued).
      await new Promise((r) => setTimeout(r, 3000));
      await pool.query('DELETE FROM incidents WHERE id > $1', [count]);
      await pool.query(`SELECT setval('incidents_id_seq', $1)`, [count]);
    }
  } finally {
    clearInterval(rssTimer);
    sqlClient.release();
    child.kill('SIGTERM');
    await pool.end();
  }
  console.log(
    `\n${count.toLocaleString('en')} appeals (${facts.open.toLocaleString('en')} open); ${duration} s per row; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; server RSS max ${maxRss.toFixed(0)} MB\n`,
  );
  console.log('| endpoint | clients | p50 ms | p95 ms | p99 ms | req/s | errors | SQL p50 ms | HTTP p50 ÷ SQL |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const l of lines) console.log(l);
  mkdirSync('.tmp', { recursive: true });
  const file = `.tmp/bench-${values.size}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ count, open: facts.open, maxRssMb: maxRss, results }, null, 2));
  console.log(`\nResults: ${file}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
