/**
 * npm run bench:mixed [-- --duration 300 --readers 4 --creators 2 --movers 2 --live 20]
 * npm run bench:mixed -- --attack [--quiet 40 --duration 80 --sse 3000 --flood 8 --signin 8 --slow 200]
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
 *
 * With `--attack` (issue 15) the normal load runs twice on the same server: `--quiet` seconds
 * alone, then `--duration` seconds beside the attack mix of test/bench/attack.ts (anonymous
 * distinct-parameter floods, sign-in floods, `--sse` anonymous live streams, slow headers and
 * bodies), which runs in a process of its own. test/bench/server-watch.ts watches the server
 * from outside (RSS of its processes every second, exits). The extra checks: zero exits, the
 * normal reads' p95 under attack within 2× of the quiet run (a read that got no answer or a 5xx
 * counts as slower than any), peak RSS of the server process ≤ 300 MB, no 500 to the attack,
 * and the real user whose password the flood guessed at still signs in afterwards. Run it also
 * as a quiet night (`--creators 0 --movers 0`): writes empty the answer cache, so without them
 * a distinct-parameter flood piles up (docs/performance.md, "Under attack").
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';
import type { AttackReport } from './attack.ts';
import { npmStartArgs } from './server-command.ts';
import { watchServer } from './server-watch.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    attack: { type: 'boolean', default: false },
    quiet: { type: 'string', default: '40' },
    sse: { type: 'string', default: '3000' },
    flood: { type: 'string', default: '8' },
    signin: { type: 'string', default: '8' },
    slow: { type: 'string', default: '200' },
    readers: { type: 'string', default: '4' },
    creators: { type: 'string', default: '2' },
    movers: { type: 'string', default: '2' },
    live: { type: 'string', default: '20' },
    port: { type: 'string', default: '18789' },
  },
});
const ATTACK = values.attack;
const DURATION_MS = Number(values.duration ?? (ATTACK ? 80 : 300)) * 1000;
const QUIET_MS = ATTACK ? Number(values.quiet) * 1000 : 0;
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

const server = spawn(process.execPath, npmStartArgs(), {
  env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), LOG_LEVEL: 'warn', JARDEM_DEMO: 'true', JARDEM_DEMO_COUNT: '0' },
  stdio: ['ignore', 'inherit', 'pipe'],
});
// The server's own words about dying (e.g. "Reached heap limit"), kept for the report.
const serverFatal: string[] = [];
server.stderr!.on('data', (d: Buffer) => {
  process.stderr.write(d);
  for (const line of d.toString().split('\n'))
    if (/FATAL|heap limit|Unhandled|uncaught/i.test(line)) serverFatal.push(line.trim().slice(0, 200));
});
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/api/health`)).ok) break;
  } catch {
    if (i > 240) throw new Error('server did not start');
  }
  await sleep(500);
}

const watch = watchServer(server, 1000);

interface Tally {
  n: number;
  ms: number[];
  status: Map<number, number>;
}
let tallies = new Map<string, Tally>();
const fiveXX: string[] = [];
const errors: string[] = [];

async function call(kind: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const t = performance.now();
  let res: Response;
  try {
    // a server stuck near its heap limit may never answer: give up after 30 s
    res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    errors.push(`${kind}: ${(err as Error).message}`);
    const tally: Tally = tallies.get(kind) ?? { n: 0, ms: [], status: new Map() };
    tallies.set(kind, tally);
    tally.n++;
    tally.ms.push(Infinity);
    tally.status.set(0, (tally.status.get(0) ?? 0) + 1);
    await sleep(100); // a server that is gone answers at once: do not spin
    return { status: 0, body: null };
  }
  const text = await res.text().catch(() => '');
  const tally: Tally = tallies.get(kind) ?? { n: 0, ms: [], status: new Map() };
  tallies.set(kind, tally);
  tally.n++;
  tally.ms.push(res.status >= 500 ? Infinity : performance.now() - t);
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

let end = 0;
let phaseNo = 0; // the quiet run and the run under attack create appeals of their own
const liveEnd = Date.now() + QUIET_MS + DURATION_MS;
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
    const description = `mixed ${run} ${phaseNo}-${w}-${i}`;
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
      headers: { 'content-type': 'application/json', ...dispatcher, 'Idempotency-Key': `mixed-${run}-${phaseNo}-${w}-${i}` },
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

const READ_KINDS = ['GET /api/districts', 'GET /api/incidents', 'GET /api/map/clusters', 'GET /api/stats/summary'];

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
      if (Date.now() >= liveEnd) return done();
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
            if (Date.now() < liveEnd) setTimeout(again, 500);
            else done();
          });
        },
      );
      req.on('error', () => {
        if (req.destroyed && !liveRequests.has(req)) return;
        liveRequests.delete(req);
        if (Date.now() < liveEnd) setTimeout(again, 1000);
        else done();
      });
      liveRequests.add(req);
    };
    again();
  });
}

/** The normal load for `ms`; its tallies. */
async function normalLoad(ms: number) {
  phaseNo++;
  tallies = new Map();
  end = Date.now() + ms;
  await Promise.all([
    ...Array.from({ length: Number(values.readers) }, (_, w) => reader(w)),
    ...Array.from({ length: Number(values.creators) }, (_, w) => creator(w)),
    ...Array.from({ length: Number(values.movers) }, () => mover()),
  ]);
  return tallies;
}

/** The attack mix in its own process, for DURATION_MS; its report. */
function attack(): Promise<AttackReport | null> {
  const args = ['--import', 'tsx', 'test/bench/attack.ts', '--port', String(port), '--duration', String(DURATION_MS / 1000)];
  for (const k of ['sse', 'flood', 'signin', 'slow'] as const) args.push(`--${k}`, String(values[k]));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((done) =>
    child.on('exit', () => {
      const line = out.split('\n').find((l) => l.startsWith('ATTACK-REPORT '));
      done(line ? (JSON.parse(line.slice('ATTACK-REPORT '.length)) as AttackReport) : null);
    }),
  );
}

const live = Array.from({ length: Number(values.live) }, () => liveClient());
let quiet: Map<string, Tally> | null = null;
let attackReport: AttackReport | null = null;
// The real user whose password the sign-in flood will guess at has signed in from their desk
// before (their browser keeps the device cookie the server gave it).
const victimSignIn = (cookie = '') =>
  fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ login: 'official', password: DEMO_PASSWORD }),
  });
let victimDevice = '';
if (ATTACK) {
  const first = await victimSignIn();
  victimDevice =
    first.headers
      .getSetCookie()
      .find((c) => c.startsWith('jardem_device='))
      ?.split(';')[0] ?? '';
}
if (ATTACK) {
  console.log(`Running ${QUIET_MS / 1000} s of mixed load alone (server pid ${server.pid})...`);
  quiet = await normalLoad(QUIET_MS);
  console.log(`Running ${DURATION_MS / 1000} s of mixed load beside the attack mix...`);
  const attacking = attack();
  await normalLoad(DURATION_MS);
  attackReport = await attacking;
} else {
  console.log(`Running ${DURATION_MS / 1000} s of mixed load (server pid ${server.pid})...`);
  await normalLoad(DURATION_MS);
}
for (const r of liveRequests) r.destroy();
await Promise.all(live);

// The real user whose password the sign-in flood guessed at, signing in again from their desk.
let victimStatus = 0;
if (ATTACK) {
  try {
    victimStatus = (await victimSignIn(victimDevice)).status;
  } catch {
    victimStatus = 0;
  }
}
const watched = watch.stop();
const rss = watched.samples.filter((_, i) => i % 5 === 0 || i === watched.samples.length - 1).map((x) => ({ s: x.s, mib: x.processMiB }));

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

if (watch.alive()) {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
}
await pool.end();
await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);

const pct = (ms: number[], p: number) => {
  const s = [...ms].sort((a, b) => (a === b ? 0 : a - b)); // failures are Infinity
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '∞');
function table(title: string, t: Map<string, Tally>, seconds: number) {
  console.log(`\n${title}\n`);
  console.log('| request | count | per s | p50 ms | p95 ms | p99 ms | statuses (0 = no answer) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [kind, x] of [...t].sort()) {
    const statuses = [...x.status].map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(
      `| ${kind} | ${x.n} | ${(x.n / seconds).toFixed(1)} | ${ms(pct(x.ms, 50))} | ${ms(pct(x.ms, 95))} | ${ms(pct(x.ms, 99))} | ${statuses} |`,
    );
  }
}
const seconds = DURATION_MS / 1000;
const shape = `${values.readers} readers, ${values.creators} creators, ${values.movers} movers, ${values.live} SSE clients`;
if (quiet) table(`Mixed load alone, ${QUIET_MS / 1000} s; ${shape}`, quiet, QUIET_MS / 1000);
table(`Mixed load${ATTACK ? ' under attack' : ''}, ${seconds} s; ${shape}`, tallies, seconds);
const reads = (t: Map<string, Tally>) => READ_KINDS.flatMap((k) => t.get(k)?.ms ?? []);
const quietP95 = quiet ? pct(reads(quiet), 95) : NaN;
const attackP95 = pct(reads(tallies), 95);
let attack500 = 0;
if (attackReport) {
  const a = attackReport;
  console.log(`\nAttack mix, ${a.seconds} s, anonymous, from ${a.addresses} loopback addresses\n`);
  console.log('| attack | requests | p50 ms | p95 ms | MB answered | statuses (0 = no answer) | socket errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [kind, k] of Object.entries(a.kinds)) {
    attack500 += k.status['500'] ?? 0;
    const statuses = Object.entries(k.status)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    const errs =
      Object.entries(k.socketErrors)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ') || '–';
    console.log(
      `| ${kind} | ${k.requests} | ${k.p50.toFixed(0)} | ${k.p95.toFixed(0)} | ${(k.bytes / 1e6).toFixed(1)} | ${statuses} | ${errs} |`,
    );
  }
  const refused =
    Object.entries(a.sse.refused)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ') || 'none';
  console.log(
    `\nAnonymous SSE: ${a.sse.wanted} wanted, ${a.sse.opened} opened (peak ${a.sse.peakOpen} at once, ${a.sse.openAtEnd} open at the end), ${a.sse.cut} cut by the server, refused: ${refused}; ${a.sse.events} events received`,
  );
  for (const s of a.slow) {
    const cutAfter = s.cutAfterS.length ? `, cut after ${Math.min(...s.cutAfterS)}–${Math.max(...s.cutAfterS)} s` : '';
    const answers =
      Object.entries(s.answers)
        .map(([k, n]) => `${k}×${n}`)
        .join(' ') || 'none';
    console.log(
      `${s.kind}: ${s.sockets} connections, ${s.heldToEnd} held to the end, ${s.cut} cut by the server${cutAfter}; answers: ${answers}`,
    );
  }
} else if (ATTACK) {
  console.log('\nThe attack process gave no report.');
}
if (ATTACK) {
  console.log(`\nServer exits: ${watched.exits.length}${watched.exits.map((e) => ` [${e.s} s, pid ${e.pid}, ${e.how}]`).join('')}`);
  if (serverFatal.length) console.log(`Server said: ${[...new Set(serverFatal)].slice(0, 3).join(' | ')}`);
  console.log(
    `Normal reads (${READ_KINDS.join(', ')}) p95: ${ms(quietP95)} ms alone, ${ms(attackP95)} ms under attack (${Number.isFinite(attackP95) ? (attackP95 / quietP95).toFixed(1) : '∞'}×)`,
  );
  const mb = (mib: number) => `${(mib * 1.048576).toFixed(0)} MB`;
  console.log(
    `Peak RSS (sampled every second): server process ${mb(watched.peakProcessMiB)}, all its Node processes ${mb(watched.peakTreeMiB)}`,
  );
  console.log(`The real user (official) signing in after the attack: ${victimStatus || 'no answer'}`);
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
  ...(ATTACK
    ? ([
        [`zero server exits`, watched.exits.length === 0, `${watched.exits.length} exits`],
        [`normal reads' p95 under attack ≤ 2× quiet`, attackP95 <= 2 * quietP95, `${ms(attackP95)} vs ${ms(quietP95)} ms`],
        [`peak RSS ≤ 300 MB`, watched.peakProcessMiB * 1.048576 <= 300, `${(watched.peakProcessMiB * 1.048576).toFixed(0)} MB`],
        [`no 500 to the attack`, attack500 === 0 && attackReport !== null, `${attack500}`],
        [`the real user still signs in`, victimStatus === 200, `${victimStatus}`],
      ] as const)
    : []),
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
