import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../server/boot.ts';
import { createPool } from '../../server/db/pool.ts';
import { freePort, type RunningServer, startServer } from '../helpers/server.ts';

/**
 * The city deployment on one machine (docs/operations.md, "Scaling past one machine"): a fresh
 * PostgreSQL 15 primary and a streaming replica of it (pg_basebackup -R) on two ports of their
 * own, never the machine's running cluster; two Jardem instances reading stale-tolerant answers
 * from the replica; HAProxy balancing over both. PostgreSQL refuses to run as root: as root (CI)
 * its programs run as the `postgres` user, in temporary folders owned by it.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;
// The default bound: wide enough that the paused-replay check below stays within it on a loaded CI machine.
const MAX_LAG_MS = 5000;
const CHECK_MS = 400;

function pgRun(cmd: string, ...args: string[]): string {
  const full = join(BIN, cmd);
  const out = asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', full, ...args]) : execFileSync(full, args);
  return out.toString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a value other than undefined, or fails after `ms`. */
async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

interface Health {
  status: string;
  database: { engine: string; replica?: { state: string; lag_ms: number | null } };
}
const health = async (base: string) => (await (await fetch(`${base}/api/health`)).json()) as Health;

/** The stale-tolerant reads (served from the replica when it is up): public ones and one signed-in export. */
const READS = [
  '/api/stats/summary',
  '/api/stats/by-district',
  '/api/stats/timeseries',
  '/api/districts',
  '/api/hotspots',
  '/ogc/collections',
  '/ogc/collections/incidents/items?limit=5',
  '/open311/v2/services.json',
  '/open311/v2/requests.json',
  '/tiles/incidents/12/2860/1506.mvt',
  '/tiles/incidents.json',
  '/api/exports/incidents.csv?status=open',
];

describe('read replica, two instances and a load balancer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jardem-replicas-'));
  const children: ChildProcess[] = [];
  const servers: RunningServer[] = [];
  let primaryPort = 0;
  let replicaPort = 0;
  let a = '';
  let b = '';
  let balancer = '';
  const started: { primary: boolean; replica: boolean } = { primary: false, replica: false };
  const primaryData = join(dir, 'primary');
  const replicaData = join(dir, 'replica');
  const primaryUrl = () => `postgres://postgres@127.0.0.1:${primaryPort}/jardem`;
  const replicaUrl = () => `postgres://postgres@127.0.0.1:${replicaPort}/jardem`;
  let cookie = '';
  let csrf = '';

  const ctl = (data: string, action: 'start' | 'stop', port: number) => {
    if (action === 'start') pgRun('pg_ctl', '-D', data, '-l', join(dir, `${port}.log`), '-w', '-t', '60', 'start');
    else pgRun('pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop');
  };

  beforeAll(async () => {
    if (asRoot)
      chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    [primaryPort, replicaPort] = [await freePort(), await freePort()];
    // The primary: WAL for a streaming replica, trusted loopback (a test cluster), sockets in our folder.
    pgRun('initdb', '-D', primaryData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N');
    appendFileSync(
      join(primaryData, 'postgresql.conf'),
      [
        `port = ${primaryPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'hot_standby = on',
        'fsync = off',
        'shared_buffers = 32MB',
        '',
      ].join('\n'),
    );
    appendFileSync(join(primaryData, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
    ctl(primaryData, 'start', primaryPort);
    started.primary = true;
    await sql(`postgres://postgres@127.0.0.1:${primaryPort}/postgres`, 'CREATE DATABASE jardem');
    await sql(primaryUrl(), 'CREATE EXTENSION postgis');
    const pool = createPool(primaryUrl(), 4);
    try {
      await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 300, seed: 7 });
    } finally {
      await pool.end();
    }
    // The replica: a base backup of the running primary that streams from it (-R writes primary_conninfo).
    pgRun(
      'pg_basebackup',
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaData,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    );
    appendFileSync(join(replicaData, 'postgresql.conf'), `port = ${replicaPort}\n`);
    ctl(replicaData, 'start', replicaPort);
    started.replica = true;
    expect((await sql(replicaUrl(), 'SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);

    const [portA, portB, portLb] = [await freePort(), await freePort(), await freePort()];
    const env = {
      DATABASE_URL: primaryUrl(),
      DATABASE_REPLICA_URL: replicaUrl(),
      JARDEM_REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
      JARDEM_REPLICA_CHECK_MS: String(CHECK_MS),
      JARDEM_DEMO: 'true',
      JARDEM_RATE_LIMIT: '0',
    };
    servers.push(
      ...(await Promise.all(
        [portA, portB].map((port) => startServer({ port, dataDir: join(dir, `data-${port}`), env, timeoutMs: 60_000 })),
      )),
    );
    [a, b] = servers.map((s) => s.baseUrl);

    // HAProxy: round robin over the two, health-checked on /api/health, long timeouts for event streams.
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      [
        'defaults',
        '  mode http',
        '  timeout connect 2s',
        '  timeout client 1h',
        '  timeout server 1h',
        '  timeout tunnel 1h',
        'frontend city',
        `  bind 127.0.0.1:${portLb}`,
        '  default_backend jardem',
        'backend jardem',
        '  balance roundrobin',
        '  option httpchk GET /api/health',
        '  http-check expect status 200',
        '  http-response set-header X-Jardem-Instance %s',
        `  server a 127.0.0.1:${portA} check inter 1s`,
        `  server b 127.0.0.1:${portB} check inter 1s`,
        '',
      ].join('\n'),
    );
    const haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(haproxy);
    balancer = `http://127.0.0.1:${portLb}`;
    // Both servers in rotation (HAProxy's first checks pass).
    await until('HAProxy serves both instances', 20_000, async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add((await fetch(`${balancer}/api/health`)).headers.get('x-jardem-instance') ?? '');
      return seen.has('a') && seen.has('b') ? true : undefined;
    });

    // A dispatcher signed in through instance A.
    const res = await fetch(`${a}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'dispatcher', password: 'jardem-demo' }),
    });
    expect(res.status).toBe(200);
    cookie = res.headers.get('set-cookie')!.split(';')[0];
    csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    for (const [data, on, port] of [
      [replicaData, started.replica, replicaPort],
      [primaryData, started.primary, primaryPort],
    ] as const) {
      if (on) {
        try {
          ctl(data, 'stop', port);
        } catch {
          // already stopped
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Registers an appeal through instance A as the dispatcher. */
  const register = async (description: string, at?: [number, number]) => {
    const meta = (await (await fetch(`${a}/api/meta`)).json()) as { districts: { lng: number; lat: number }[] };
    const d = at ? { lng: at[0], lat: at[1] } : meta.districts[0];
    const res = await fetch(`${a}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({
        type: 'complaint',
        category: 'roads.pothole',
        channel: 'phone',
        description,
        location: { type: 'Point', coordinates: [d.lng, d.lat] },
      }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: number; number: string };
  };
  const ogcItem = (base: string, id: number) => fetch(`${base}/ogc/collections/incidents/items/${id}`);

  it('reports the replica up on both instances, and a session made on A works on B', async () => {
    for (const base of [a, b]) {
      const h = await until('replica up', 10_000, async () => {
        const x = await health(base);
        return x.database.replica?.state === 'up' ? x : undefined;
      });
      expect(h.status).toBe('ok');
      expect(h.database.replica!.lag_ms).toBeLessThanOrEqual(MAX_LAG_MS);
    }
    // Sessions live in the database: the cookie from A signs the dispatcher in on B.
    const me = await fetch(`${b}/api/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { login: string } | null }).user?.login).toBe('dispatcher');
  });

  it("reads on B come from the replica: an appeal written through A is missing there while replay is paused, B's primary reads have it, and it appears within the lag bound", async () => {
    await sql(replicaUrl(), 'SELECT pg_wal_replay_pause()');
    let resumed = false;
    try {
      const made = await register('Replica check: written on A while the replica is paused');
      // The replica has not replayed it: B's stale-tolerant read does not find it (the replica is
      // still within its lag bound, so B reads there), while B's primary read does.
      expect((await ogcItem(b, made.id)).status).toBe(404);
      const direct = await fetch(`${b}/api/incidents/${made.id}`, { headers: { cookie } });
      expect(direct.status).toBe(200);
      // Open311 looks a request the replica does not have yet up on the primary (a client reads back what it posted).
      expect((await fetch(`${b}/open311/v2/requests/${made.id}.json`)).status).toBe(200);
      // Beyond the lag bound B says so and reads from the primary: the appeal is there.
      const lagging = await until('B sees the replica lagging', MAX_LAG_MS + 5000, async () => {
        const h = await health(b);
        return h.database.replica?.state === 'lagging' ? h : undefined;
      });
      expect(lagging.database.replica!.lag_ms).toBeGreaterThan(MAX_LAG_MS);
      expect((await ogcItem(b, made.id)).status).toBe(200);
      await sql(replicaUrl(), 'SELECT pg_wal_replay_resume()');
      resumed = true;
      await until('B sees the replica up again', 10_000, async () =>
        (await health(b)).database.replica?.state === 'up' ? true : undefined,
      );
    } finally {
      if (!resumed) await sql(replicaUrl(), 'SELECT pg_wal_replay_resume()');
    }

    // Replaying: a new appeal written through A is read through B's replica within the bound.
    const made = await register('Replica check: written on A, read on B');
    const t0 = Date.now();
    await until('the appeal on B', MAX_LAG_MS, async () => ((await ogcItem(b, made.id)).status === 200 ? true : undefined));
    expect(Date.now() - t0).toBeLessThanOrEqual(MAX_LAG_MS);
    expect((await health(b)).database.replica?.state).toBe('up');
  });

  it("B's cached tile shows an appeal written through A within the lag bound (the change counter is read on the primary)", async () => {
    // A standby sees a sequence move only every 32 values: a tile cache reading the counter there
    // would keep this tile for its whole lifetime (2 minutes).
    const meta = (await (await fetch(`${a}/api/meta`)).json()) as { districts: { lng: number; lat: number }[] };
    const at: [number, number] = [meta.districts[1].lng + 0.0007, meta.districts[1].lat + 0.0007];
    const z = 16;
    const x = Math.floor(((at[0] + 180) / 360) * 2 ** z);
    const rad = (at[1] * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * 2 ** z);
    const tile = async () => {
      const res = await fetch(`${b}/tiles/incidents/${z}/${x}/${y}.mvt`);
      await res.arrayBuffer();
      return res.headers.get('etag');
    };
    const before = await tile();
    expect(await tile()).toBe(before);
    await register('Tile check: written on A, drawn by B', at);
    const t0 = Date.now();
    await until("the appeal in B's tile", MAX_LAG_MS + 2000, async () => ((await tile()) !== before ? true : undefined));
    expect(Date.now() - t0).toBeLessThanOrEqual(MAX_LAG_MS + 2000);
  });

  it('an event stream on B receives the appeal registered through A (LISTEN on the primary)', async () => {
    const stream = new AbortController();
    const res = await fetch(`${b}/api/live`, { headers: { cookie, accept: 'text/event-stream' }, signal: stream.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The stream is open once its first message (`ready`) arrived.
    while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value, { stream: true });
    const made = await register('Live check: registered on A, streamed by B');
    const deadline = Date.now() + 10_000;
    try {
      while (!/event: incident\.created/.test(text) || !text.includes(made.number)) {
        if (Date.now() > deadline) throw new Error(`no incident.created for ${made.number} on B:\n${text.slice(-2000)}`);
        const chunk = await Promise.race([reader.read(), sleep(deadline - Date.now()).then(() => ({ value: undefined }))]);
        if (chunk.value) text += decoder.decode(chunk.value, { stream: true });
      }
    } finally {
      stream.abort();
    }
    expect(text).toContain(made.number);
  });

  it('the balancer spreads requests over both instances, every read answering 200', async () => {
    const seen = new Map<string, number>();
    for (let round = 0; round < 2; round++) {
      for (const path of READS) {
        const res = await fetch(balancer + path, { headers: { cookie } });
        expect(res.status, path).toBeLessThan(300);
        await res.arrayBuffer();
        const who = res.headers.get('x-jardem-instance') ?? '?';
        seen.set(who, (seen.get(who) ?? 0) + 1);
      }
    }
    expect([...seen.keys()].sort()).toEqual(['a', 'b']);
    expect(seen.get('a')).toBeGreaterThan(5);
    expect(seen.get('b')).toBeGreaterThan(5);
  });

  it('with the replica stopped every read still answers on both instances (from the primary), health says so, and a returning replica is used again', async () => {
    ctl(replicaData, 'stop', replicaPort);
    started.replica = false;
    // At once, before any health check noticed: a read that fails on the replica is retried on the primary.
    for (const base of [a, b]) {
      for (const path of READS) {
        const res = await fetch(base + path, { headers: { cookie } });
        expect(res.status, `${base}${path}`).toBeLessThan(300);
        await res.arrayBuffer();
      }
    }
    for (const base of [a, b]) {
      const h = await until('replica down in /api/health', 5000, async () => {
        const x = await health(base);
        return x.database.replica?.state === 'down' ? x : undefined;
      });
      expect(h.status).toBe('ok');
      expect(h.database.replica!.lag_ms).toBeNull();
    }
    // Through the balancer too (both instances stay in rotation: /api/health still answers 200).
    for (let i = 0; i < 6; i++) expect((await fetch(`${balancer}/api/stats/summary`)).status).toBe(200);
    const made = await register('Replica check: written on A while the replica is down');
    expect((await ogcItem(b, made.id)).status).toBe(200);

    // The replica comes back, catches up from the primary, and is used again.
    ctl(replicaData, 'start', replicaPort);
    started.replica = true;
    for (const base of [a, b]) {
      await until('replica up again', 15_000, async () => ((await health(base)).database.replica?.state === 'up' ? true : undefined));
    }
    const direct = await sql(replicaUrl(), `SELECT count(*)::int AS n FROM incidents WHERE id = ${made.id}`);
    expect(direct.rows[0].n).toBe(1);
  });
});
