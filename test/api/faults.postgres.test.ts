import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';
import { recordProbe } from '../helpers/probes.ts';
import { canCreateCluster, createCluster, sql, type Cluster } from '../helpers/cluster.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';

/**
 * Faults under the real server (its own process) on a real PostgreSQL of its own: a throwaway
 * cluster (pg_createcluster, as root; CI runs as root) that the test stops and starts, never the
 * machine's main cluster. Runs in the api-postgres project only.
 */
const enabled = canCreateCluster();
if (!enabled) {
  console.warn('*** faults.postgres.test.ts: not root or no pg_createcluster: the database restart tests are NOT run.');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An SSE client that records the event names it receives and whether the stream ended cleanly. */
function openStream(baseUrl: string, cookie: string) {
  const s = {
    events: [] as string[],
    ids: [] as number[],
    ended: false,
    error: undefined as Error | undefined,
    req: undefined as http.ClientRequest | undefined,
  };
  const ready = new Promise<void>((done, fail) => {
    s.req = http.get(`${baseUrl}/api/live`, { headers: { accept: 'text/event-stream', cookie } }, (res) => {
      if (res.statusCode !== 200) return fail(new Error(`live: ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const event = /^event: (.+)$/m.exec(frame)?.[1];
          if (event) s.events.push(event);
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (event === 'incident.created' && data) s.ids.push(JSON.parse(data).id);
        }
        done();
      });
      res.on('end', () => (s.ended = true));
      res.on('error', (err) => (s.error = err));
    });
    s.req.on('error', (err) => {
      s.error = err;
      fail(err);
    });
  });
  return { s, ready };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(250);
  }
}

describe.runIf(enabled)('a real PostgreSQL that stops and starts under the running API', () => {
  let cluster: Cluster;
  let server: RunningServer;
  let url: string;
  let cookie: string;
  let csrfToken: string;
  let point: [number, number];

  beforeAll(async () => {
    cluster = createCluster(`jardem_faults_${process.pid}`, await freePort());
    cluster.start();
    await sql(cluster.url('postgres'), 'CREATE DATABASE jardem');
    url = cluster.url('jardem');
    const pool = createPool(url, 2);
    await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 200, seed: 3 });
    const { rows } = await pool.query(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat FROM districts ORDER BY id LIMIT 1`,
    );
    point = [rows[0].lng, rows[0].lat];
    await pool.end();
    server = await startServer({
      port: await freePort(),
      dataDir: '/nonexistent',
      env: { DATABASE_URL: url, JARDEM_DEMO_COUNT: '0' },
      timeoutMs: 120_000,
    });
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'dispatcher', password: DEMO_PASSWORD }),
    });
    cookie = login.headers.get('set-cookie')!.split(';')[0];
    csrfToken = ((await login.json()) as { csrfToken: string }).csrfToken;
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    try {
      cluster?.drop();
    } catch (err) {
      console.warn(`dropping the throwaway cluster failed: ${(err as Error).message}`);
    }
  });

  const create = (description: string) =>
    fetch(`${server.baseUrl}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({
        type: 'complaint',
        category: 'roads.pothole',
        channel: 'phone',
        description,
        location: { type: 'Point', coordinates: point },
      }),
    });
  const listeners = () =>
    sql(url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'LISTEN jardem_live'`).then((r) => r.rows[0].n as number);

  it(
    'answers 503 with a JSON message while the database is down, then recovers by itself (pool and LISTEN)',
    { timeout: 180_000 },
    async () => {
      const { s: stream, ready } = openStream(server.baseUrl, cookie);
      await ready;
      expect(await listeners()).toBe(1);
      expect((await create('before the outage')).status).toBe(201);

      cluster.stop();
      for (const [method, path] of [
        ['GET', '/api/districts'],
        ['GET', '/api/incidents?status=open'],
        ['GET', '/api/stats/summary'],
        ['POST', '/api/incidents'],
        ['GET', '/api/health'],
      ]) {
        const t0 = Date.now();
        const res = method === 'POST' ? await create('during the outage') : await fetch(server.baseUrl + path, { headers: { cookie } });
        const body = await res.json();
        expect(res.status, `${method} ${path}`).toBe(503);
        expect(body).toEqual({
          error: { code: 'database_unavailable', message: expect.stringMatching(/database is unavailable/), details: [] },
        });
        expect(res.headers.get('retry-after')).toBe('5');
        // A refused connection is answered at once, not after a hang.
        expect(Date.now() - t0, `${method} ${path} took`).toBeLessThan(11_000);
      }
      // Stay down longer than the live hub's first LISTEN retries (1 s, then 2 s), so that they fail too.
      await sleep(4500);
      expect((await fetch(`${server.baseUrl}/api/districts`)).status).toBe(503);
      // The open stream is not torn down by the outage.
      expect(stream.ended).toBe(false);

      cluster.start();
      await until(
        'the API answers again',
        async () => ((await fetch(`${server.baseUrl}/api/districts`)).status === 200 ? true : undefined),
        5_000,
      );
      const res = await create('after the outage');
      expect(res.status).toBe(201);
      const { id } = await res.json();
      // The live hub's LISTEN connection comes back (back-off from 1 s, at most 5 s) ...
      await until('LISTEN is back', async () => ((await listeners()) === 1 ? true : undefined), 6_000);
      // ... and the stream that stayed open through the outage receives the new appeal.
      await until('the stream sees the new appeal', async () => (stream.ids.includes(id) ? true : undefined), 15_000);
      // Nothing was registered while the database was down.
      const { rows } = await sql(url, `SELECT description FROM incidents WHERE description LIKE '%the outage' ORDER BY id`);
      expect(rows.map((r) => r.description)).toEqual(['before the outage', 'after the outage']);
      stream.req!.destroy();
    },
  );

  it(
    '6 writers with Idempotency-Keys through a PostgreSQL restart: no exit, 503s during, 2xx within 5 s after, nothing lost or doubled',
    { timeout: 180_000 },
    async () => {
      const WRITERS = 6;
      const run = `w${Date.now()}`;
      const acked = new Map<string, number>(); // key → id of its 201
      const attempts = new Map<string, number>(); // key → requests sent for it
      const statuses = new Map<number | string, number>();
      let phase: 'before' | 'down' | 'after' = 'before';
      let first2xxAfter = 0;
      let stopWriters = false;
      const post = (key: string) =>
        fetch(`${server.baseUrl}/api/incidents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken, 'idempotency-key': key },
          body: JSON.stringify({
            type: 'complaint',
            category: 'roads.pothole',
            channel: 'phone',
            description: `fault ${key}`,
            location: { type: 'Point', coordinates: point },
          }),
          signal: AbortSignal.timeout(15_000),
        });
      // Each writer sends appeal after appeal; one that was not acknowledged (503, a reset, a
      // timeout) is sent again with the same key until it is, as a careful client would.
      const writer = async (w: number) => {
        for (let n = 0; !stopWriters; n++) {
          const key = `${run}-${w}-${n}`;
          for (;;) {
            attempts.set(key, (attempts.get(key) ?? 0) + 1);
            let status: number | string;
            try {
              const res = await post(key);
              status = res.status;
              const body = await res.json();
              if (res.status === 201) {
                const seen = acked.get(key);
                if (seen !== undefined) expect(body.id, `retry of ${key}`).toBe(seen);
                acked.set(key, body.id);
              } else {
                expect(res.status, JSON.stringify(body)).toBe(503);
                expect(body.error.code).toBe('database_unavailable');
                expect(res.headers.get('retry-after')).toBe('5');
              }
            } catch (err) {
              status = (err as Error).name;
            }
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status === 201 && phase === 'after' && !first2xxAfter) first2xxAfter = Date.now();
            if (status === 201) break;
            if (phase === 'down') expect(status === 503 || status === 'TypeError' || status === 'TimeoutError', String(status)).toBe(true);
            await sleep(100);
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      await sleep(2000);
      const ackedBefore = acked.size;
      expect(ackedBefore).toBeGreaterThan(0);

      phase = 'down';
      cluster.stop();
      const down503 = () => statuses.get(503) ?? 0;
      await until('503s while the database is down', async () => (down503() >= WRITERS ? true : undefined), 10_000);
      await sleep(3000);
      // The process is still there, and answers.
      expect(server.process.exitCode).toBeNull();
      expect((await fetch(`${server.baseUrl}/api/districts`)).status).toBe(503);

      cluster.start();
      const startedAt = Date.now();
      phase = 'after';
      await until('a 2xx after the restart', async () => (first2xxAfter ? true : undefined), 5_000);
      const recoveryMs = first2xxAfter - startedAt;
      console.log(`faults: first 201 ${recoveryMs} ms after PostgreSQL was back; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      expect(recoveryMs).toBeLessThan(5000);
      await sleep(2000);
      stopWriters = true;
      await Promise.all(writers);

      expect(server.process.exitCode).toBeNull();
      expect(server.process.signalCode).toBeNull();
      expect((await fetch(`${server.baseUrl}/api/health`)).status).toBe(200);
      expect(acked.size).toBeGreaterThan(ackedBefore);
      const retried = [...attempts.values()].filter((n) => n > 1).length;
      expect(retried, 'some appeals were retried through the outage').toBeGreaterThan(0);
      // Every acknowledged appeal is there once, with the id it was acknowledged with, and
      // nothing else of this run was stored: every retry landed once.
      const { rows } = await sql(url, `SELECT id, substr(description, 7) AS key FROM incidents WHERE description LIKE $1 ORDER BY id`, [
        `fault ${run}-%`,
      ]);
      const stored = new Map<string, number[]>();
      for (const r of rows) stored.set(r.key, [...(stored.get(r.key) ?? []), Number(r.id)]);
      const lost = [...acked].filter(([key, id]) => JSON.stringify(stored.get(key)) !== JSON.stringify([id])).length;
      recordProbe(
        {
          file: 'faults.postgres.test.ts',
          probe: 'PostgreSQL restarted under 6 writers with Idempotency-Keys',
          tried: [...statuses.values()].reduce((a, b) => a + b, 0),
          fiveXX: [...statuses].filter(([k]) => typeof k === 'number' && k >= 500 && k !== 503).reduce((a, [, n]) => a + n, 0),
          leaks: 0,
          lost: lost + Math.max(0, rows.length - acked.size),
        },
        'postgres',
      );
      for (const [key, id] of acked) expect(stored.get(key), key).toEqual([id]);
      expect(rows.length).toBe(acked.size);
    },
  );

  it('SIGTERM finishes the request in flight, closes live streams cleanly and exits 0', { timeout: 120_000 }, async () => {
    const { s: stream, ready } = openStream(server.baseUrl, cookie);
    await ready;
    // Make GET /api/districts slow: hold a lock it has to wait for.
    const locker = await import('pg').then((pg) => new pg.default.Client({ connectionString: url }));
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE districts IN ACCESS EXCLUSIVE MODE');
    // On a connection of its own (not a kept-alive one from earlier requests).
    const slow = new Promise<{ status: number; body: any }>((done, fail) => {
      http
        .get(`${server.baseUrl}/api/districts`, { agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => done({ status: res.statusCode!, body: JSON.parse(text) }));
          res.on('error', fail);
        })
        .on('error', fail);
    });
    await sleep(500);
    const exited = new Promise<number | null>((done) => server.process.once('exit', (code) => done(code)));
    server.process.kill('SIGTERM');
    await sleep(500);
    // The stream is ended by the server (a clean end, not a reset) ...
    await until('the stream ends', async () => (stream.ended ? true : undefined), 5_000);
    expect(stream.error).toBeUndefined();
    // ... no new connection is accepted, and the slow request is still waiting ...
    await expect(fetch(`${server.baseUrl}/api/health`)).rejects.toThrow();
    expect(server.process.exitCode).toBeNull();
    // ... until the lock goes: then it is answered in full, and only then does the process exit.
    await locker.query('COMMIT');
    await locker.end();
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.body.type).toBe('FeatureCollection');
    expect(await exited).toBe(0);
  });
});
