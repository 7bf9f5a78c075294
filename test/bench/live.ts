/**
 * npx tsx test/bench/live.ts [--clients 1000 --commits 30 --interval 300 --fresh]
 *
 * The delay from commit to screen on /api/live: the server runs in its own process on the real
 * PostgreSQL + PostGIS at BENCH_DATABASE_URL (default
 * postgres://postgres:postgres@127.0.0.1:5432/jardem_bench, the 200,000-appeal database of
 * `npm run bench`; with --fresh, a temporary database with a 5,000-appeal demo history, dropped
 * after). This process opens `clients` SSE connections (plain node:http, one socket each), then
 * commits `commits` appeals with SQL INSERTs, one every `interval` ms, and times each
 * `incident.created` from the moment the INSERT's commit returned until each client has parsed
 * it. Prints p50/p95/max over all deliveries and the time until the last client had each event.
 * The appeals it inserts are deleted afterwards, so the bench database keeps its size.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';
import { SERVER_ARGS } from './server-command.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    commits: { type: 'string', default: '30' },
    interval: { type: 'string', default: '300' },
    port: { type: 'string', default: '18788' },
    fresh: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const COMMITS = Number(values.commits);
const INTERVAL = Number(values.interval);
const port = Number(values.port);
const benchUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/jardem_bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The database to use: the bench database as it is, or a fresh temporary one. */
async function database(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!values.fresh) return { url: benchUrl, drop: async () => undefined };
  const name = `jardem_bench_live_${process.pid}`;
  const adminUrl = Object.assign(new URL(benchUrl), { pathname: '/postgres' }).toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = Object.assign(new URL(benchUrl), { pathname: `/${name}` }).toString();
  const pool = createPool(url, 4);
  console.log('Preparing a fresh database with 5,000 demo appeals...');
  await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 5000 });
  await pool.end();
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** One SSE client: records when each incident.created (by appeal id) arrived. */
class Client {
  readonly arrivals = new Map<number, number>();
  ready = false;
  private buf = '';
  private req?: http.ClientRequest;

  open(agent: http.Agent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = http.get({ host: '127.0.0.1', port, path: '/api/live', agent, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          this.buf += chunk;
          let cut: number;
          while ((cut = this.buf.indexOf('\n\n')) >= 0) {
            const block = this.buf.slice(0, cut);
            this.buf = this.buf.slice(cut + 2);
            if (block.startsWith('event: ready') || block.includes('\nevent: ready')) {
              this.ready = true;
              resolve();
            }
            if (!block.includes('event: incident.created')) continue;
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (!data) continue;
            const id = Number(/"id":\s*(\d+)/.exec(data)?.[1]);
            if (id && !this.arrivals.has(id)) this.arrivals.set(id, now);
          }
        });
        res.on('error', () => undefined);
      });
      this.req.on('error', reject);
    });
  }

  close() {
    this.req?.destroy();
  }
}

const db = await database();
const server = spawn(process.execPath, SERVER_ARGS, {
  env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'warn', JARDEM_DEMO: 'false' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stopServer = () =>
  new Promise<void>((done) => {
    if (server.exitCode !== null) return done();
    server.once('exit', () => done());
    server.kill('SIGTERM');
    setTimeout(() => server.kill('SIGKILL'), 15_000).unref();
  });

const writer = new pg.Client({ connectionString: db.url });
const inserted: number[] = [];
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) break;
    } catch {
      if (i > 240) throw new Error('server did not start');
    }
    await sleep(500);
  }
  await writer.connect();
  const { rows: counts } = await writer.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents');
  console.log(`Database: ${counts[0].n} appeals; server pid ${server.pid}; ${CLIENTS} clients, ${COMMITS} commits every ${INTERVAL} ms`);

  // Connect in batches, so that the listen backlog is never the bottleneck.
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const clients = Array.from({ length: CLIENTS }, () => new Client());
  const t0 = performance.now();
  for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.open(agent)));
  console.log(`${CLIENTS} streams open in ${ms(performance.now() - t0)}`);
  await sleep(2000); // let the first stats and alerts settle

  const committed = new Map<number, number>();
  for (let i = 0; i < COMMITS; i++) {
    const { rows } = await writer.query<{ id: number }>(
      `INSERT INTO incidents (number, type, category_id, channel, priority, description, geom, due_at)
       VALUES (incident_number('109', now()), 'complaint', (SELECT id FROM categories WHERE code = 'garbage.burning'), 'phone', 3,
               'Live bench appeal', ST_SetSRID(ST_MakePoint(71.378 + $1 * 0.0002, 42.9), 4326), now() + interval '1 day')
       RETURNING id`,
      [i % 50],
    );
    committed.set(Number(rows[0].id), performance.now());
    inserted.push(Number(rows[0].id));
    await sleep(INTERVAL);
  }
  // wait for stragglers
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline && clients.some((c) => inserted.some((id) => !c.arrivals.has(id)))) await sleep(100);

  const delays: number[] = [];
  const lastClient: number[] = [];
  let missing = 0;
  for (const [id, at] of committed) {
    let last = 0;
    for (const c of clients) {
      const got = c.arrivals.get(id);
      if (got === undefined) {
        missing++;
        continue;
      }
      delays.push(got - at);
      last = Math.max(last, got - at);
    }
    lastClient.push(last);
  }
  delays.sort((a, b) => a - b);
  lastClient.sort((a, b) => a - b);
  console.log('\nCommit → client delay of incident.created (LISTEN/NOTIFY, one server process):');
  console.log(
    `  all deliveries (${delays.length}): p50 ${ms(pct(delays, 50))}, p95 ${ms(pct(delays, 95))}, max ${ms(delays.at(-1) ?? NaN)}`,
  );
  console.log(
    `  until every client had it (${lastClient.length} commits): p50 ${ms(pct(lastClient, 50))}, p95 ${ms(pct(lastClient, 95))}, max ${ms(lastClient.at(-1) ?? NaN)}`,
  );
  if (missing) console.log(`  MISSING deliveries: ${missing}`);
  for (const c of clients) c.close();
  agent.destroy();
} finally {
  if (inserted.length) await writer.query('DELETE FROM incidents WHERE id = ANY($1::bigint[])', [inserted]).catch(() => undefined);
  await writer.end().catch(() => undefined);
  await stopServer();
  await db.drop();
}
