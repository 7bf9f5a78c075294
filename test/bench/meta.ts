/**
 * GET /api/meta against a database with a large history (e.g. one test/bench/bulk.ts filled):
 * the time of the first answer and the median of the next ones, in-process (app.request), so
 * the figure is the server's work without the network.
 *
 *   npx tsx test/bench/meta.ts --url postgres://…/jardem_bench_catfix [--runs 20]
 */
import { parseArgs } from 'node:util';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres:postgres@127.0.0.1:5432/jardem_bench_1m' },
    runs: { type: 'string', default: '20' },
  },
});
const pool = createPool(values.url, 4);
const app = createApp({ pool, engine: 'postgres', config: loadConfig({ LOG_LEVEL: 'silent' }) });
const { rows } = await pool.query<{ n: number; recent: number }>(
  `SELECT count(*)::int AS n, count(*) FILTER (WHERE created_at > now() - interval '90 days')::int AS recent FROM incidents`,
);
const times: number[] = [];
let bytes = 0;
for (let i = 0; i < Number(values.runs); i++) {
  const t0 = performance.now();
  const res = await app.request('/api/meta');
  bytes = (await res.text()).length;
  if (res.status !== 200) throw new Error(`/api/meta answered ${res.status}`);
  times.push(performance.now() - t0);
}
const rest = times.slice(1).sort((a, b) => a - b);
console.log(
  `/api/meta over ${rows[0].n.toLocaleString('en')} appeals (${rows[0].recent.toLocaleString('en')} in 90 days), ${bytes} characters: ` +
    `first ${times[0].toFixed(0)} ms, median of the next ${rest.length} ${rest[Math.floor(rest.length / 2)].toFixed(1)} ms, max ${rest[rest.length - 1].toFixed(0)} ms`,
);
await pool.end();
process.exit(0);
