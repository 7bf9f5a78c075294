/**
 * npx tsx test/bench/tiles.ts <database url> [--engine postgres|pglite] [--filter status=open]
 *
 * Latency of incident vector tiles on an existing database (e.g. the one `npm run bench`
 * generates, or a running embedded one): every tile of the city at zooms 10, 12, 14 and 16 is
 * requested once on a fresh app (uncached: SQL + encoding) and once more (cached), in process
 * through app.request, so the figures are the server's own work without the network.
 */
import { parseArgs } from 'node:util';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';
import { tileEncoder } from '../../server/tiles/render.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { engine: { type: 'string', default: 'postgres' }, filter: { type: 'string', default: '' } },
});
const url = positionals[0] ?? 'postgres://postgres:postgres@127.0.0.1:5432/jardem_bench';
const engine = values.engine as 'postgres' | 'pglite';
const pool = createPool(url, 4);

function tileRange(z: number, [x0, y0, x1, y1]: number[]) {
  const n = 2 ** z;
  const tx = (lng: number) => Math.floor(((lng + 180) / 360) * n);
  const ty = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  };
  const tiles: string[] = [];
  for (let x = tx(x0); x <= tx(x1); x++) for (let y = ty(y1); y <= ty(y0); y++) tiles.push(`${z}/${x}/${y}`);
  return tiles;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// Warm up: connections, the catalog, the encoder check.
await createApp({ pool, engine, config: loadConfig({ LOG_LEVEL: 'silent', JARDEM_DEMO: 'false' }) }).request(
  '/tiles/incidents/0/0/0.mvt?q=warm-up',
);

const { rows } = await pool.query(
  `SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent(geom)::geometry e FROM districts) t`,
);
const bounds = [rows[0].x0, rows[0].y0, rows[0].x1, rows[0].y1];
const counts = (await pool.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE is_open)::int AS open FROM incidents')).rows[0];
console.log(
  `${engine}, ${counts.n} appeals (${counts.open} open), encoder ${await tileEncoder(pool)}, filter "${values.filter || 'default: status=open'}"`,
);
console.log('| zoom | tiles | uncached p50 ms | uncached p95 ms | cached p50 ms | cached p95 ms | bytes p50 |');
console.log('|---|---|---|---|---|---|---|');
for (const z of [10, 12, 14, 16]) {
  const app = createApp({ pool, engine, config: loadConfig({ LOG_LEVEL: 'silent', JARDEM_DEMO: 'false' }) });
  const tiles = tileRange(z, bounds).slice(0, 200);
  const run = async () => {
    const times: number[] = [];
    const sizes: number[] = [];
    for (const t of tiles) {
      const t0 = performance.now();
      const res = await app.request(`/tiles/incidents/${t}.mvt${values.filter ? `?${values.filter}` : ''}`);
      const body = await res.arrayBuffer();
      times.push(performance.now() - t0);
      sizes.push(body.byteLength);
    }
    return { times, sizes };
  };
  const cold = await run();
  const warm = await run();
  const f = (n: number) => n.toFixed(1);
  console.log(
    `| ${z} | ${tiles.length} | ${f(pct(cold.times, 0.5))} | ${f(pct(cold.times, 0.95))} | ${f(pct(warm.times, 0.5))} | ${f(pct(warm.times, 0.95))} | ${pct(cold.sizes, 0.5)} |`,
  );
}
await pool.end();
process.exit(0);
