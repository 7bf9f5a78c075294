/**
 * LOG_LEVEL=silent npx tsx test/bench/intake.ts [--engine pglite|postgres --count 200 --concurrency 8]
 *
 * Times appeal intake (POST /api/incidents, with an Idempotency-Key, district, routing,
 * deadline, reporter, audit row and duplicate check) through the real app on a fresh database
 * with the 3,000-appeal demo history the API tests use: `count` POSTs one after another, then
 * `count` more `concurrency` at a time; then GET /api/control (risk for every open appeal).
 * `--profile` also prints the time of each statement a serial intake sends; `--database URL`
 * runs on an existing database (the appeals it adds stay).
 * PGlite: a temporary data folder. PostgreSQL: a temporary database on the server at
 * BENCH_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres), dropped after.
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
import { DEMO_PASSWORD } from '../../server/users.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    count: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    profile: { type: 'boolean', default: false },
    /** An existing database (e.g. the 10M bench database) instead of a fresh one; kept afterwards. */
    database: { type: 'string' },
  },
});

/** Time per statement (its first 90 characters), summed over the serial POSTs. */
const profile = new Map<string, { n: number; ms: number }>();
let profiling = false;
if (values.profile) {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    if (!profiling || !(result instanceof Promise)) return result;
    const q = args[0] as string | { text: string };
    const text = (typeof q === 'string' ? q : q.text).replace(/\s+/g, ' ').trim().slice(0, 90);
    const t = performance.now();
    return result.finally(() => {
      const e = profile.get(text) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += performance.now() - t;
      profile.set(text, e);
    });
  } as typeof pg.Client.prototype.query;
}
const count = Number(values.count);
const concurrency = Number(values.concurrency);

async function open(): Promise<{ url: string; close: () => Promise<void> }> {
  if (values.database) return { url: values.database, close: async () => undefined };
  if (values.engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'jardem-bench-'));
    const db = await startEmbeddedDatabase(dir);
    return { url: db.url, close: async () => (await db.stop(), rmSync(dir, { recursive: true, force: true })) };
  }
  const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  const name = `jardem_bench_intake_${process.pid}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
  return { url, close: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms, max ${s.at(-1)!.toFixed(1)} ms`;
};

async function main() {
  const db = await open();
  const pool = createPool(db.url, 10);
  try {
    const t0 = Date.now();
    if (!values.database) await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 3000, seed: 42 });
    console.log(`${values.engine}: database ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const app = createApp({
      pool,
      engine: values.engine === 'pglite' ? 'pglite' : 'postgres',
      config: loadConfig({ LOG_LEVEL: 'silent' }),
    });
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'dispatcher', password: DEMO_PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const meta = await (await app.request('/api/meta')).json();
    const d = meta.districts;

    let n = 0;
    const post = async () => {
      const i = n++;
      const district = d[i % d.length];
      const body = {
        type: 'complaint',
        category: ['roads.pothole', 'heating.no_heating.building', 'lighting', 'garbage'][i % 4],
        channel: 'phone',
        description: `bench appeal ${i}`,
        location: { type: 'Point', coordinates: [district.lng + ((i % 17) - 8) * 0.0002, district.lat + ((i % 13) - 6) * 0.0002] },
        reporter: { name: 'Bench', phone: '+7 700 000 0000' },
      };
      const t = performance.now();
      const res = await app.request('/api/incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken, 'Idempotency-Key': `bench-${process.pid}-${i}` },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`POST ${i}: ${res.status} ${await res.text()}`);
      return performance.now() - t;
    };

    const serial: number[] = [];
    const s0 = performance.now();
    profiling = values.profile;
    for (let i = 0; i < count; i++) serial.push(await post());
    profiling = false;
    const sTotal = performance.now() - s0;
    console.log(
      `  ${count} POSTs one at a time: ${(sTotal / 1000).toFixed(2)} s (${((count / sTotal) * 1000).toFixed(0)}/s); ${stats(serial)}`,
    );

    if (values.profile) {
      console.log('  time per POST in each statement (ms, statements per POST, text):');
      for (const [text, e] of [...profile].sort((a, b) => b[1].ms - a[1].ms)) {
        console.log(`    ${(e.ms / count).toFixed(2).padStart(6)}  ×${(e.n / count).toFixed(1)}  ${text}`);
      }
    }

    const parallel: number[] = [];
    profile.clear();
    profiling = values.profile;
    const p0 = performance.now();
    let left = count;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) parallel.push(await post());
      }),
    );
    const pTotal = performance.now() - p0;
    profiling = false;
    console.log(
      `  ${count} POSTs ${concurrency} at a time: ${(pTotal / 1000).toFixed(2)} s (${((count / pTotal) * 1000).toFixed(0)}/s); ${stats(parallel)}`,
    );

    if (values.profile) {
      console.log(`  time per POST in each statement, ${concurrency} at a time (ms, statements per POST, text):`);
      for (const [text, e] of [...profile].sort((a, b) => b[1].ms - a[1].ms)) {
        console.log(`    ${(e.ms / count).toFixed(2).padStart(6)}  ×${(e.n / count).toFixed(2)}  ${text}`);
      }
    }

    const adminLogin = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: DEMO_PASSWORD }),
    });
    const adminCookie = adminLogin.headers.get('set-cookie')!.split(';')[0];
    const control: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const res = await app.request('/api/control?limit=100', { headers: { cookie: adminCookie } });
      if (res.status !== 200) throw new Error(`control: ${res.status}`);
      await res.json();
      control.push(performance.now() - t);
    }
    const open = (await pool.query(`SELECT count(*)::int AS n FROM incidents WHERE status IN ('new','assigned','in_progress','reopened')`))
      .rows[0].n;
    console.log(`  GET /api/control over ${open} open appeals (20 runs, first builds the history summary): ${stats(control)}`);
  } finally {
    await pool.end();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
