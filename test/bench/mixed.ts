/**
 * npm run bench:mixed [-- --duration 300 --readers 4 --creators 2 --movers 2 --live 20]
 *
 * Five minutes of mixed traffic against the real server in its own process on a real
 * PostgreSQL + PostGIS: a temporary database `jardem_bench_mixed_<pid>` on the server at
 * BENCH_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres) with a
 * 5,000-appeal demo history, dropped afterwards.
 *
 * - readers: GET /api/districts, /api/incidents (open, bbox), /api/map/clusters, /api/stats/summary;
 * - creators: POST /api/incidents with an Idempotency-Key; every fifth create is sent twice
 *   with the same key (a client retrying), which must answer the same appeal;
 * - movers: take the created appeals through assign → take → resolve → close as admin;
 * - live: SSE clients on /api/live, counting the events they receive (reconnecting if cut).
 *
 * It ends by checking: zero 5xx; every created appeal present in the database exactly once
 * (by its unique description) with the number the API answered; and the server's resident
 * memory (VmRSS, sampled every 5 s) — the first and last minute are compared. Exits 1 if a
 * check fails.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';
import { SERVER_ARGS } from './server-command.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '300' },
    readers: { type: 'string', default: '4' },
    creators: { type: 'string', default: '2' },
    movers: { type: 'string', default: '2' },
    live: { type: 'string', default: '20' },
    port: { type: 'string', default: '18789' },
  },
});
const DURATION_MS = Number(values.duration) * 1000;
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const run = `${process.pid}-${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(sql);
  await c.end();
}

const dbName = `jardem_bench_mixed_${process.pid}`;
await adminQuery(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
const pool = createPool(dbUrl, 2);
console.log(`Preparing ${dbName} with 5,000 demo appeals...`);
await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 5000, seed: 7 });

const server = spawn(process.execPath, SERVER_ARGS, {
  env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), LOG_LEVEL: 'warn', JARDEM_DEMO: 'true', JARDEM_DEMO_COUNT: '0' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/api/health`)).ok) break;
  } catch {
    if (i > 240) throw new Error('server did not start');
  }
  await sleep(500);
}

/** Resident memory of the server process in MiB (Linux). */
const rssMiB = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

interface Tally {
  n: number;
  ms: number[];
  status: Map<number, number>;
}
const tallies = new Map<string, Tally>();
const fiveXX: string[] = [];
const errors: string[] = [];

async function call(kind: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const t = performance.now();
  let res: Response;
  try {
    res = await fetch(base + path, init);
  } catch (err) {
    errors.push(`${kind}: ${(err as Error).message}`);
    return { status: 0, body: null };
  }
  const text = await res.text();
  const tally: Tally = tallies.get(kind) ?? { n: 0, ms: [], status: new Map() };
  tallies.set(kind, tally);
  tally.n++;
  tally.ms.push(performance.now() - t);
  tally.status.set(res.status, (tally.status.get(res.status) ?? 0) + 1);
  if (res.status >= 500) fiveXX.push(`${kind} ${path}: ${res.status} ${text.slice(0, 200)}`);
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (e.g. empty)
  }
  return { status: res.status, body };
}

async function login(who: string) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: who, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${who}: ${res.status}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  // The session cookie, and the CSRF token its writes must carry.
  return { cookie: res.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': csrfToken };
}
const dispatcher = await login('dispatcher');
const admin = await login('admin');
const meta = (await call('meta', '/api/meta')).body;
const districts: { lng: number; lat: number }[] = meta.districts;
const serviceCode: string = meta.services[0].code;

const end = Date.now() + DURATION_MS;
const created = new Map<string, { id: number; number: string }>(); // description → answer
const toMove: { id: number; step: number }[] = [];

async function reader(w: number) {
  const paths = [
    '/api/districts',
    '/api/incidents?status=open&bbox=71.30,42.85,71.45,42.95&limit=100',
    '/api/map/clusters?z=12&bbox=71.2,42.8,71.5,43.0',
    '/api/stats/summary',
  ];
  for (let i = w; Date.now() < end; i++) {
    const p = paths[i % paths.length];
    await call(`GET ${p.split('?')[0]}`, p);
  }
}

async function creator(w: number) {
  for (let i = 0; Date.now() < end; i++) {
    const description = `mixed ${run} ${w}-${i}`;
    const d = districts[i % districts.length];
    const body = JSON.stringify({
      type: 'complaint',
      category: ['roads.pothole', 'lighting', 'garbage'][i % 3],
      channel: 'phone',
      description,
      location: { type: 'Point', coordinates: [d.lng + ((i % 17) - 8) * 0.0003, d.lat + ((i % 13) - 6) * 0.0003] },
      reporter: { name: 'Mixed load', phone: '+7 700 000 0000' },
    });
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...dispatcher, 'Idempotency-Key': `mixed-${run}-${w}-${i}` },
      body,
    };
    const first = await call('POST /api/incidents', '/api/incidents', init);
    if (first.status !== 201) {
      if (first.status !== 0 && first.status < 500) errors.push(`create ${description}: ${first.status} ${JSON.stringify(first.body)}`);
      continue;
    }
    created.set(description, { id: first.body.id, number: first.body.number });
    toMove.push({ id: first.body.id, step: 0 });
    if (i % 5 === 0) {
      const again = await call('POST /api/incidents (retry)', '/api/incidents', init);
      if (again.body?.id !== first.body.id) errors.push(`retry of ${description} answered ${again.status} id ${again.body?.id}`);
    }
  }
}

const STEPS = [
  { to: 'assigned', service: serviceCode },
  { to: 'in_progress' },
  { to: 'resolved', note: 'Done under load' },
  { to: 'closed' },
];

async function mover() {
  while (Date.now() < end) {
    const job = toMove.shift();
    if (!job) {
      await sleep(50);
      continue;
    }
    const one = await call('GET /api/incidents/:id', `/api/incidents/${job.id}`, { headers: { cookie: admin.cookie } });
    if (one.status !== 200) continue;
    const res = await call('POST /transitions', `/api/incidents/${job.id}/transitions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body: JSON.stringify({ version: one.body.properties.version, ...STEPS[job.step] }),
    });
    if (res.status === 200 && job.step + 1 < STEPS.length) toMove.push({ id: job.id, step: job.step + 1 });
    else if (res.status === 409) toMove.push(job); // a stale version: try again with the new one
  }
}

let liveEvents = 0;
let liveConnects = 0;
const liveRequests = new Set<http.ClientRequest>();
function liveClient(): Promise<void> {
  return new Promise((done) => {
    const again = () => {
      if (Date.now() >= end) return done();
      liveConnects++;
      const req = http.get(
        { host: '127.0.0.1', port, path: '/api/live', headers: { accept: 'text/event-stream', cookie: admin.cookie } },
        (res) => {
          if (res.statusCode !== 200) {
            fiveXX.push(...(res.statusCode! >= 500 ? [`live: ${res.statusCode}`] : []));
            res.resume();
            return void setTimeout(again, 1000);
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            liveEvents += chunk.split('\nevent: ').length - 1 + (chunk.startsWith('event: ') ? 1 : 0);
          });
          res.on('close', () => {
            liveRequests.delete(req);
            if (Date.now() < end) setTimeout(again, 500);
            else done();
          });
        },
      );
      req.on('error', () => {
        if (req.destroyed && !liveRequests.has(req)) return;
        liveRequests.delete(req);
        if (Date.now() < end) setTimeout(again, 1000);
        else done();
      });
      liveRequests.add(req);
    };
    again();
  });
}

const rss: { s: number; mib: number }[] = [];
const t0 = Date.now();
const sampler = setInterval(() => rss.push({ s: Math.round((Date.now() - t0) / 1000), mib: rssMiB() }), 5000);
rss.push({ s: 0, mib: rssMiB() });
console.log(`Running ${DURATION_MS / 1000} s of mixed load (server pid ${server.pid})...`);

const live = Array.from({ length: Number(values.live) }, () => liveClient());
await Promise.all([
  ...Array.from({ length: Number(values.readers) }, (_, w) => reader(w)),
  ...Array.from({ length: Number(values.creators) }, (_, w) => creator(w)),
  ...Array.from({ length: Number(values.movers) }, () => mover()),
]);
clearInterval(sampler);
rss.push({ s: Math.round((Date.now() - t0) / 1000), mib: rssMiB() });
for (const r of liveRequests) r.destroy();
await Promise.all(live);

// Every created appeal exactly once, with the number the API gave it.
const { rows } = await pool.query<{ description: string; n: number; numbers: string[] }>(
  `SELECT description, count(*)::int AS n, array_agg(number) AS numbers FROM incidents WHERE description LIKE $1 GROUP BY description`,
  [`mixed ${run} %`],
);
const inDb = new Map(rows.map((r) => [r.description, r]));
let missing = 0;
let doubled = 0;
let wrongNumber = 0;
for (const [description, answer] of created) {
  const r = inDb.get(description);
  if (!r) missing++;
  else if (r.n !== 1) doubled++;
  else if (r.numbers[0] !== answer.number) wrongNumber++;
}
const strays = rows.filter((r) => !created.has(r.description)).length;
const closed = (
  await pool.query(`SELECT count(*)::int AS n FROM incidents WHERE description LIKE $1 AND status = 'closed'`, [`mixed ${run} %`])
).rows[0].n;

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await pool.end();
await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);

const pct = (ms: number[], p: number) => {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};
const seconds = DURATION_MS / 1000;
console.log(
  `\nMixed load, ${seconds} s; ${values.readers} readers, ${values.creators} creators, ${values.movers} movers, ${values.live} SSE clients\n`,
);
console.log('| request | count | per s | p50 ms | p95 ms | p99 ms | statuses |');
console.log('|---|---|---|---|---|---|---|');
for (const [kind, t] of [...tallies].sort()) {
  const statuses = [...t.status].map(([s, n]) => `${s}×${n}`).join(' ');
  console.log(
    `| ${kind} | ${t.n} | ${(t.n / seconds).toFixed(1)} | ${pct(t.ms, 50).toFixed(0)} | ${pct(t.ms, 95).toFixed(0)} | ${pct(t.ms, 99).toFixed(0)} | ${statuses} |`,
  );
}
const firstMin = rss.filter((r) => r.s <= 60).map((r) => r.mib);
const lastMin = rss.filter((r) => r.s >= rss.at(-1)!.s - 60).map((r) => r.mib);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\nSSE: ${liveConnects} connections, ${liveEvents} events received`);
console.log(`Created ${created.size} appeals; ${closed} of them taken all the way to closed`);
console.log(`Server RSS MiB, every 5 s: ${rss.map((r) => r.mib.toFixed(0)).join(' ')}`);
console.log(
  `RSS: start ${rss[0].mib.toFixed(0)}, max ${Math.max(...rss.map((r) => r.mib)).toFixed(0)}, first-minute mean ${avg(firstMin).toFixed(0)}, last-minute mean ${avg(lastMin).toFixed(0)} MiB`,
);
const checks = [
  [`zero 5xx`, fiveXX.length === 0, fiveXX.slice(0, 5).join('; ')],
  [`no failed requests or wrong answers`, errors.length === 0, errors.slice(0, 5).join('; ')],
  [
    `every created appeal present exactly once`,
    missing + doubled + wrongNumber + strays === 0,
    `missing ${missing}, doubled ${doubled}, wrong number ${wrongNumber}, unexpected ${strays}`,
  ],
] as const;
let failed = false;
for (const [name, ok, detail] of checks) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
  failed ||= !ok;
}
process.exit(failed ? 1 : 0);
