/**
 * npm run bench:peers [-- --size 1m|10m|both --connections 1,8,32 --duration 5 --only bbox,filter,item,walk,tile14,tile12]
 *
 * Jardem's /ogc beside the servers a city would otherwise deploy (issue 23): MapServer 8 and
 * QGIS Server, both OGC API – Features, both behind lighttpd FastCGI (4 processes each), on
 * the same bench database (`jardem_bench_1m` / `jardem_bench_10m`, bulk.ts) — and beside the
 * physical limit: the SQL Jardem runs, replayed on 1, 8 and 32 connections with Jardem's session
 * settings, prepared where Jardem prepares it (a prepared statement turns to a generic plan after
 * five runs: better for some queries, worse for a bbox; the replay plans as Jardem does). Tiles: Jardem's uncached tile route beside the
 * raw ST_AsMVT it runs.
 *
 * On a Debian machine it installs the peers when their binaries are missing (needs root).
 * Before timing a request it checks that every server answers it with the same ids in the same
 * order; a server whose answer differs gets a warning row and is not timed for that request.
 * The peers read through a role of their own (`peerbench`) whose settings are Jardem's session
 * settings (jit off, no parallel workers, work_mem 32 MB): FastCGI does not pass PGOPTIONS on.
 *
 * Every server gets the same `Accept-Encoding` (`--encoding`, default gzip; lighttpd here does
 * not compress, Jardem does).
 */
import { markOwnSessions } from '../../server/db/statements.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { getCatalog } from '../../server/catalog.ts';
import { createPool } from '../../server/db/pool.ts';
import { overdueSql } from '../../server/domain/statuses.ts';
import { incidentItemsText, incidentItemText } from '../../server/ogc/queries.ts';
import { renderIncidentTile } from '../../server/tiles/render.ts';
import { spawnBenchServer } from './server-command.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'both' },
    connections: { type: 'string', default: '1,8,32' },
    duration: { type: 'string', default: '5' },
    port: { type: 'string', default: '18890' },
    encoding: { type: 'string', default: 'gzip' },
    only: { type: 'string' },
    'keep-dir': { type: 'boolean', default: false },
  },
});
const SIZES: Record<string, number> = { '1m': 1_000_000, '10m': 10_000_000 };
const sizes = values.size === 'both' ? ['1m', '10m'] : [values.size];
for (const s of sizes) if (!(s in SIZES)) throw new Error(`--size must be 1m, 10m or both, got "${values.size}"`);
const serverUrl = process.env.BENCH_SERVER_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432';
const connectionsList = values.connections.split(',').map(Number);
const duration = Number(values.duration);
const only = values.only?.split(',');
const basePort = Number(values.port);
const headers = { 'accept-encoding': values.encoding };
const WALK_ITEMS = 10_000;
const PAGE = 100;
const PEER_ROLE = 'peerbench';
/** A request slower than this counts as an error (a peer counting millions of rows per page). */
const REQUEST_TIMEOUT_MS = 30_000;
/** The answer check of a walk compares what each server returns within this time (a prefix of the walk). */
const CHECK_WALK_MS = 60_000;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- the peers: install, configure, serve ----------------------------------------------------

const MAPSERV = '/usr/bin/mapserv';
const QGIS_FCGI = '/usr/lib/cgi-bin/qgis_mapserv.fcgi';
const LIGHTTPD = '/usr/sbin/lighttpd';

function installPeers() {
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(MAPSERV) || !existsSync(LIGHTTPD)) apt(['install', '-y', 'cgi-mapserver', 'mapserver-bin', 'lighttpd']);
  if (!existsSync(QGIS_FCGI)) apt(['install', '-y', '--no-install-recommends', 'qgis-server']);
}

/** Waits until the bench database holds its generated appeals and nothing is still writing it. */
async function waitForDatabase(url: string, count: number) {
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  const name = new URL(url).pathname.slice(1);
  try {
    for (let i = 0; ; i++) {
      const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
      const busy = (
        await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()
              AND query ~* '^\\s*(insert|create|alter|select incident_rollup|analyze|vacuum|copy|update)'`,
          [name],
        )
      ).rows[0].n;
      let have = 0;
      if (exists) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          have = Number((await c.query(`SELECT coalesce(max(id), 0) AS n FROM incidents`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
        } finally {
          await c.end();
        }
      }
      if (have >= count && !busy) return;
      if (i % 6 === 0)
        console.log(`waiting for ${name}: ${have.toLocaleString('en')} of ${count.toLocaleString('en')} appeals, ${busy} writer(s)`);
      await sleep(10_000);
    }
  } finally {
    await admin.end();
  }
}

/** The view the peers serve: Jardem's public columns (server/exports/public-incident.ts) in its order. */
async function publishView(pool: pg.Pool, dbName: string) {
  await pool.query(`CREATE OR REPLACE VIEW peer_incidents AS
    SELECT i.id, i.number, i.type, c.code AS category, s.code AS sphere, i.channel, i.status, i.priority,
           d.code AS district, sv.code AS service, i.created_at, i.due_at, i.resolved_at, i.closed_at,
           ${overdueSql()} AS overdue,
           i.address, i.description, i.geom
      FROM incidents i
      JOIN categories c ON c.id = i.category_id
      LEFT JOIN categories s ON s.id = c.sphere_id
      LEFT JOIN districts d ON d.id = i.district_id
      LEFT JOIN services sv ON sv.id = i.service_id
     ORDER BY i.created_at DESC, i.id DESC`);
  const role = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [PEER_ROLE]);
  if (!role.rowCount) await pool.query(`CREATE ROLE ${PEER_ROLE} LOGIN PASSWORD '${PEER_ROLE}'`);
  // Jardem's session settings (server/db/pool.ts), for every connection the peers open.
  await pool.query(`ALTER ROLE ${PEER_ROLE} SET jit = off`);
  await pool.query(`ALTER ROLE ${PEER_ROLE} SET max_parallel_workers_per_gather = 0`);
  await pool.query(`ALTER ROLE ${PEER_ROLE} SET work_mem = '32MB'`);
  await pool.query(`ALTER ROLE ${PEER_ROLE} SET timezone = 'Asia/Almaty'`);
  await pool.query(`GRANT CONNECT ON DATABASE ${dbName} TO ${PEER_ROLE}`);
  await pool.query(`GRANT USAGE ON SCHEMA public TO ${PEER_ROLE}`);
  await pool.query(`GRANT SELECT ON peer_incidents, spatial_ref_sys TO ${PEER_ROLE}`);
}

function writePeerConfig(dir: string, dbName: string, msPort: number, qgPort: number, bbox: number[]) {
  const conn = `host=127.0.0.1 port=5432 dbname=${dbName} user=${PEER_ROLE} password=${PEER_ROLE}`;
  const map = join(dir, 'peer.map');
  writeFileSync(
    map,
    `MAP
  NAME "peer"
  EXTENT ${bbox.join(' ')}
  SIZE 800 600
  PROJECTION "init=epsg:4326" END
  WEB
    METADATA
      "oga_enable_request" "*"
      "oga_onlineresource" "http://127.0.0.1:${msPort}/mapserv/peer/ogcapi"
      "oga_html_template_directory" "/usr/share/mapserver/ogcapi/templates/html-plain/"
      "ows_enable_request" "*"
      "ows_title" "peer"
      "ows_srs" "EPSG:4326"
    END
  END
  LAYER
    NAME "incidents"
    TYPE POINT
    STATUS ON
    CONNECTIONTYPE POSTGIS
    CONNECTION "${conn}"
    DATA "geom from peer_incidents using unique id using srid=4326"
    PROCESSING "CLOSE_CONNECTION=DEFER"
    TEMPLATE "void"
    PROJECTION "init=epsg:4326" END
    METADATA
      "ows_title" "incidents"
      "ows_extent" "${bbox.join(' ')}"
      "gml_include_items" "all"
      "gml_featureid" "id"
      "gml_types" "auto"
    END
  END
END
`,
  );
  const msConfig = join(dir, 'mapserver-config.txt');
  writeFileSync(msConfig, `CONFIG\n  MAPS\n    "peer" "${map}"\n  END\nEND\n`);
  const qgs = join(dir, 'peer.qgs');
  // The project is written by QGIS itself (PyQGIS, which qgis-server brings): one postgres layer,
  // published to WFS / OGC API – Features. Estimated metadata: no full scan for the extent.
  const source = `dbname='${dbName}' host=127.0.0.1 port=5432 user='${PEER_ROLE}' password='${PEER_ROLE}' sslmode=disable key='id' estimatedmetadata=true srid=4326 type=Point checkPrimaryKeyUnicity='0' table="public"."peer_incidents" (geom)`;
  execFileSync('/usr/bin/python3', ['-c', QGS_WRITER, source, qgs], {
    env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', HOME: dir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const lighttpdConf = (name: string, port: number, prefix: string, bin: string, env: Record<string, string>) => {
    const file = join(dir, `lighttpd-${name}.conf`);
    const envList = Object.entries(env)
      .map(([k, v]) => `"${k}" => "${v}"`)
      .join(', ');
    writeFileSync(
      file,
      `server.modules = ("mod_fastcgi")
server.document-root = "${dir}"
server.bind = "127.0.0.1"
server.port = ${port}
server.errorlog = "${join(dir, `${name}-error.log`)}"
server.max-connections = 256
fastcgi.server = ( "${prefix}" => ((
  "socket" => "${join(dir, `${name}.sock`)}",
  "bin-path" => "${bin}",
  "max-procs" => 4,
  "check-local" => "disable",
  "bin-environment" => ( ${envList} )
)) )
`,
    );
    return file;
  };
  return {
    mapserver: lighttpdConf('mapserver', msPort, '/mapserv', MAPSERV, { MAPSERVER_CONFIG_FILE: msConfig }),
    qgis: lighttpdConf('qgis', qgPort, '/qgis', QGIS_FCGI, {
      QGIS_PROJECT_FILE: qgs,
      QT_QPA_PLATFORM: 'offscreen',
      HOME: dir,
      QGIS_SERVER_LOG_LEVEL: '2',
    }),
  };
}

const QGS_WRITER = `
import sys
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(sys.argv[1], 'incidents', 'postgres')
if not layer.isValid():
    sys.exit('QGIS cannot open the peer_incidents view')
project = QgsProject.instance()
project.addMapLayer(layer)
project.writeEntry('WFSLayers', '/', [layer.id()])
project.writeEntry('WMSServiceTitle', '/', 'peer')
project.write(sys.argv[2])
app.exitQgis()
`;

const started: ChildProcess[] = [];

function startLighttpd(conf: string): ChildProcess {
  const child = spawn(LIGHTTPD, ['-D', '-f', conf], { stdio: ['ignore', 'inherit', 'inherit'] });
  started.push(child);
  return child;
}

async function waitFor(url: string, what: string, tries = 240) {
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(url, { headers });
      if (r.ok) return;
      if (i > tries) throw new Error(`${what}: ${r.status} ${(await r.text()).slice(0, 300)}`);
    } catch (err) {
      if (i > tries) throw new Error(`${what} did not start: ${(err as Error).message}`, { cause: err });
    }
    await sleep(500);
  }
}

function startJardem(url: string, port: number): ChildProcess {
  const child = spawnBenchServer(url, port);
  started.push(child);
  return child;
}

/** The pids whose parent is `pid` (lighttpd's FastCGI processes, which it leaves running when stopped). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Stops what this run started, by pid: Jardem, each lighttpd and the FastCGI processes it spawned. */
function stopAll() {
  if (process.env.PEERS_TRACE) console.trace(`stopAll at ${new Date().toISOString()}`);
  for (const c of started.splice(0)) {
    if (!c.pid || c.exitCode !== null) continue;
    const children = childrenOf(c.pid);
    c.kill('SIGTERM');
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL'); // stateless FastCGI workers; some ignore SIGTERM while waiting
      } catch {
        // already gone
      }
    }
  }
}

// --- requests and their answers --------------------------------------------------------------

interface Server {
  name: string;
  /** The URL of an items request with these query parameters (or of one item). */
  items: (qs: string) => string;
  item: (id: number) => string;
}

async function getJson(url: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<any> {
  const r = await fetch(url, {
    headers: { ...headers, accept: 'application/geo+json, application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.status} ${url}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const idsOf = (doc: any): string[] => (doc.features ?? []).map((f: any) => String(f.id ?? f.properties?.id));
const nextOf = (doc: any): string | undefined => (doc.links ?? []).find((l: any) => l.rel === 'next')?.href;

/** The ids of a whole walk: the first page, then `next` links until WALK_ITEMS items. */
async function walkIds(first: string, max = WALK_ITEMS, budgetMs = CHECK_WALK_MS): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let url: string | undefined = first;
  let pages = 0;
  const end = performance.now() + budgetMs;
  while (url && ids.length < max && performance.now() < end) {
    const doc = await getJson(url);
    pages++;
    ids.push(...idsOf(doc));
    url = nextOf(doc);
  }
  return { ids: ids.slice(0, max), pages };
}

/**
 * Cancels the peers' statements still running after their client gave up (QGIS Server counts a
 * page's matches for minutes at 10M; MapServer reads the whole view per item): the next row is
 * timed on a database that is not still serving the last one.
 */
async function cancelPeerStatements(pool: pg.Pool) {
  for (let i = 0; i < 50; i++) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT pg_cancel_backend(pid) FROM pg_stat_activity
        WHERE usename = $1 AND state = 'active' AND pid <> pg_backend_pid()) x`,
      [PEER_ROLE],
    );
    if (!rows[0].n) return;
    await sleep(200);
  }
}

// --- load ----------------------------------------------------------------------------------

interface Load {
  p50: number;
  p95: number;
  rps: number;
  errors: number;
}

/** autocannon against a list of paths (taken in turn), every response timed. */
function httpLoad(urls: string[] | (() => string), connections: number, seconds: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const pathOf = (x: string) => {
      const v = new URL(x);
      return v.pathname + v.search;
    };
    const u = new URL(typeof urls === 'function' ? urls() : urls[0]);
    let n = 0;
    const list = typeof urls === 'function' ? null : urls.map(pathOf);
    const next = () => (list ? list[n++ % list.length] : pathOf((urls as () => string)()));
    const instance = autocannon(
      {
        url: u.origin,
        connections,
        duration: seconds,
        headers,
        timeout: REQUEST_TIMEOUT_MS / 1000,
        requests: [{ setupRequest: (req) => ({ ...req, path: next() }) }],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err) return reject(err);
        times.sort((a, b) => a - b);
        resolve({
          p50: pct(times, 50),
          p95: pct(times, 95),
          rps: times.length / seconds,
          errors: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_c: unknown, _code: number, _bytes: number, ms: number) => times.push(ms));
  });
}

/**
 * `connections` clients, each walking by `next` links (from the first page, again when a walk
 * ends at WALK_ITEMS items) until `seconds` are up, mid-walk or not: page times and pages/s.
 * `walkS` is what one whole walk of WALK_ITEMS items takes each client at that rate.
 */
async function walkLoad(first: string, connections: number, seconds: number): Promise<Load & { walkS: number }> {
  const times: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      let url: string | undefined = first;
      let items = 0;
      while (performance.now() < end) {
        if (!url || items >= WALK_ITEMS) {
          url = first;
          items = 0;
        }
        const p0 = performance.now();
        try {
          const doc = await getJson(url);
          times.push(performance.now() - p0);
          items += idsOf(doc).length;
          url = nextOf(doc);
        } catch {
          errors++;
          url = first;
          items = 0;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const rps = times.length / elapsed;
  return { p50: pct(times, 50), p95: pct(times, 95), rps, errors, walkS: ((WALK_ITEMS / PAGE) * connections) / rps };
}

interface Statement {
  text: string;
  values: unknown[];
  /** Set when Jardem sends it as a prepared statement. */
  prepared: boolean;
}

let recording: Statement[] | null = null;
const originalQuery = pg.Client.prototype.query;
// Records what the query modules send, leaving the driver's behaviour as it is.
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [q, v] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
  const text = typeof q === 'string' ? q : q?.text;
  if (recording && typeof text === 'string' && !/^\s*SET\s/i.test(text)) {
    const prepared = typeof q !== 'string' && Boolean((q as { name?: string }).name);
    recording.push({ text, values: (typeof q === 'string' ? v : (q.values ?? v)) ?? [], prepared });
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

/**
 * The recorded statements (prepared where Jardem prepares them) on `connections` clients with
 * Jardem's session settings, for `seconds`: one "request" is one run of `groups[k]` (taken in turn), all its
 * statements one after another. Returns per-request times.
 */
/** Prepared statement names, one per text, for every connection of the run. */
const names = new Map<string, string>();

async function sqlLoad(pool: pg.Pool, groups: Statement[][], connections: number, seconds: number): Promise<Load> {
  const nameOf = (text: string) => {
    let n = names.get(text);
    if (!n) names.set(text, (n = `peers_${names.size}`));
    return n;
  };
  const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
  const times: number[] = [];
  let done = 0;
  let k = 0;
  try {
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < end) {
          const group = groups[k++ % groups.length];
          const s0 = performance.now();
          // Prepared where Jardem prepares it (server/ogc/feature-text.ts), else as Jardem sends it.
          for (const s of group) await client.query(s.prepared ? { name: nameOf(s.text), text: s.text, values: s.values } : s);
          times.push(performance.now() - s0);
          done++;
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    times.sort((a, b) => a - b);
    return { p50: pct(times, 50), p95: pct(times, 95), rps: done / elapsed, errors: 0 };
  } finally {
    for (const c of clients) c.release(true);
  }
}

// --- one size ------------------------------------------------------------------------------

interface Row {
  size: string;
  request: string;
  server: string;
  clients: number;
  p50: number | null;
  p95: number | null;
  rps: number | null;
  errors: number;
  note?: string;
  vsBestPeer?: number | null;
  sqlOverServer?: number | null;
  /** Walks: seconds one whole walk takes each client. */
  walkS?: number;
}

/** The tile containing [lng, lat] at zoom z. */
function tileAt(lng: number, lat: number, z: number) {
  const n = 2 ** z;
  const x = Math.floor(((lng + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x, y };
}

async function benchSize(size: string, rows: Row[]) {
  const count = SIZES[size];
  const dbName = `jardem_bench_${size}`;
  const url = `${serverUrl}/${dbName}`;
  await waitForDatabase(url, count);
  // PostgreSQL: named statements where Jardem names them, as openDatabase allows.
  const pool = markOwnSessions(createPool(url, Math.max(...connectionsList, 4) + 2));
  const catalog = await getCatalog(pool);
  const facts = (
    await pool.query<{ cx: number; cy: number; status: string; x0: number; y0: number; x1: number; y1: number }>(
      `SELECT (SELECT ST_X(ST_Centroid(ST_Extent(geom))) FROM districts) AS cx,
              (SELECT ST_Y(ST_Centroid(ST_Extent(geom))) FROM districts) AS cy,
              (SELECT status FROM incidents WHERE is_open GROUP BY status ORDER BY count(*) DESC, status LIMIT 1) AS status,
              ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1
         FROM (SELECT ST_Extent(geom)::geometry AS e FROM districts) x`,
    )
  ).rows[0];
  await publishView(pool, dbName);
  const dir = mkdtempSync(join(tmpdir(), 'jardem-peers-'));
  const [msPort, qgPort, jPort] = [basePort, basePort + 1, basePort + 2];
  const conf = writePeerConfig(dir, dbName, msPort, qgPort, [facts.x0, facts.y0, facts.x1, facts.y1]);
  console.log(new Date().toISOString());
  console.log(`\n== ${size}: ${count.toLocaleString('en')} appeals; peers' files in ${dir}`);
  startLighttpd(conf.mapserver);
  startLighttpd(conf.qgis);
  startJardem(url, jPort);

  const servers: Server[] = [
    {
      name: 'Jardem /ogc',
      items: (qs) => `http://127.0.0.1:${jPort}/ogc/collections/incidents/items?${qs}`,
      item: (id) => `http://127.0.0.1:${jPort}/ogc/collections/incidents/items/${id}`,
    },
    {
      name: 'MapServer 8',
      items: (qs) => `http://127.0.0.1:${msPort}/mapserv/peer/ogcapi/collections/incidents/items?f=json&${qs}`,
      item: (id) => `http://127.0.0.1:${msPort}/mapserv/peer/ogcapi/collections/incidents/items/${id}?f=json`,
    },
    {
      name: 'QGIS Server',
      items: (qs) => `http://127.0.0.1:${qgPort}/qgis/wfs3/collections/incidents/items.json?${qs}`,
      item: (id) => `http://127.0.0.1:${qgPort}/qgis/wfs3/collections/incidents/items/${id}.json`,
    },
  ];
  try {
    await waitFor(servers[0].items('limit=1'), 'Jardem');
    await waitFor(servers[1].items('limit=1'), 'MapServer');
    await waitFor(servers[2].items('limit=1'), 'QGIS Server');

    // A box near the centre whose first page has no point in the float4 margin of its edges:
    // QGIS Server filters with `&&` alone, which lets such points in (centimetres outside).
    let bbox: [number, number, number, number] = [0, 0, 0, 0];
    for (let k = 0; k < 50; k++) {
      const [dx, dy] = [(k % 7) * 0.0007, Math.floor(k / 7) * 0.0005];
      bbox = [facts.cx - 0.006 + dx, facts.cy - 0.004 + dy, facts.cx + 0.006 + dx, facts.cy + 0.004 + dy].map(
        (v) => Math.round(v * 1e4) / 1e4,
      ) as typeof bbox;
      // The first page by `&&` alone and by ST_Intersects: the same ids, or another box.
      const page = (op: string) =>
        pool
          .query<{ ids: string }>(
            `SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM incidents WHERE ${op}
               ORDER BY created_at DESC, id DESC LIMIT ${PAGE}) p`,
            bbox,
          )
          .then((r) => r.rows[0].ids);
      const env = 'ST_MakeEnvelope($1, $2, $3, $4, 4326)';
      if ((await page(`geom && ${env}`)) === (await page(`ST_Intersects(geom, ${env})`))) break;
    }
    const bboxQs = `bbox=${bbox.join(',')}&limit=${PAGE}`;
    const filterQs = `status=${facts.status}&limit=${PAGE}`;
    const bboxIds = idsOf(await getJson(servers[0].items(bboxQs))).map(Number);
    const itemIds = bboxIds.slice(0, 20);

    // The SQL Jardem runs for each, as on a page the server answers again: numberMatched's count
    // cached. The cache follows the change counter, which the server's own jobs (deadline flags)
    // may move between two calls: the shortest of three recordings is the warm one.
    const sqlOf = async (fn: () => Promise<unknown>) => {
      await fn();
      let best = await record(fn);
      for (let k = 0; k < 2; k++) {
        const again = await record(fn);
        if (again.length < best.length) best = again;
      }
      return best;
    };
    const bboxSql = [await sqlOf(() => incidentItemsText(pool, catalog, { filter: {}, bbox, limit: PAGE }))];
    const filterSql = [await sqlOf(() => incidentItemsText(pool, catalog, { filter: { status: [facts.status as 'new'] }, limit: PAGE }))];
    // One after another: the recording is one list at a time.
    const itemSql: Statement[][] = [];
    for (const id of itemIds) itemSql.push(await sqlOf(() => incidentItemText(pool, String(id))));
    // The walk: the statements of each page (second walk, numberMatched's cache warm).
    const walkSql: Statement[][] = [];
    for (const pass of [0, 1]) {
      let cursor: string | undefined;
      for (let i = 0; i < WALK_ITEMS / PAGE; i++) {
        let next: string | null = null;
        const statements = await record(async () => {
          next = (await incidentItemsText(pool, catalog, { filter: {}, limit: PAGE, cursor })).next;
        });
        if (pass === 1) walkSql.push(statements);
        if (!next) break;
        cursor = next;
      }
    }

    interface Case {
      key: string;
      name: string;
      urls: (s: Server) => string[];
      walk?: boolean;
      sql: Statement[][];
    }
    const allCases: Case[] = [
      { key: 'bbox', name: `bbox page of ${PAGE}`, urls: (s) => [s.items(bboxQs)], sql: bboxSql },
      { key: 'filter', name: `status=${facts.status}, page of ${PAGE}`, urls: (s) => [s.items(filterQs)], sql: filterSql },
      { key: 'item', name: 'single item', urls: (s) => itemIds.map((id) => s.item(id)), sql: itemSql },
      {
        key: 'walk',
        name: `walk ${WALK_ITEMS.toLocaleString('en')} items by next`,
        urls: (s) => [s.items(`limit=${PAGE}`)],
        walk: true,
        sql: walkSql,
      },
    ];
    const cases = allCases.filter((c) => !only || only.includes(c.key));

    for (const c of cases) {
      try {
        await runCase(c);
      } catch (err) {
        console.error(`${size} ${c.name}: ${(err as Error).stack}`);
      }
    }
    async function runCase(c: Case) {
      console.log(`${new Date().toISOString()} checking ${c.name}`);
      // Same ids in the same order from every server, or that server is not timed for this request.
      const answers = new Map<string, string[] | Error>();
      for (const s of servers) {
        try {
          const urls = c.urls(s);
          if (c.walk) answers.set(s.name, (await walkIds(urls[0])).ids);
          else if (urls.length === 1) answers.set(s.name, idsOf(await getJson(urls[0])));
          else {
            // Single items one after another, as many as CHECK_WALK_MS allows (MapServer reads the whole view for each).
            const ids: string[] = [];
            const end = performance.now() + CHECK_WALK_MS;
            for (const u of urls) {
              if (performance.now() > end) break;
              ids.push(String((await getJson(u)).id));
            }
            answers.set(s.name, ids);
          }
        } catch (err) {
          answers.set(s.name, err as Error);
        }
      }
      await cancelPeerStatements(pool);
      const reference = answers.get(servers[0].name);
      // A walk too slow to finish in CHECK_WALK_MS is compared on the prefix it returned.
      const agree = (s: Server) => {
        const a = answers.get(s.name);
        if (!Array.isArray(a) || !Array.isArray(reference) || !a.length) return false;
        const n = c.walk || c.key === 'item' ? Math.min(a.length, reference.length) : reference.length;
        return a.length >= n && reference.length >= n && a.slice(0, n).every((v, i) => v === reference[i]);
      };
      for (const s of servers) {
        const a = answers.get(s.name);
        const ok = s === servers[0] ? Array.isArray(a) && a.length > 0 : agree(s);
        if (!ok) {
          const why =
            a instanceof Error
              ? `error: ${a.message.slice(0, 120)}`
              : `different answer (${Array.isArray(a) ? a.length : 0} ids vs ${Array.isArray(reference) ? reference.length : 0}; first ${Array.isArray(a) ? a.slice(0, 3).join(',') : '-'} vs ${Array.isArray(reference) ? reference.slice(0, 3).join(',') : '-'})`;
          console.log(`WARNING ${size} ${c.name} ${s.name}: ${why} — not timed`);
          rows.push({
            size,
            request: c.name,
            server: s.name,
            clients: 0,
            p50: null,
            p95: null,
            rps: null,
            errors: 0,
            note: `WARNING: ${why}`,
          });
          continue;
        }
        // Warm.
        if (c.walk) await walkLoad(c.urls(s)[0], 2, 1);
        else await httpLoad(c.urls(s), 4, 2);
        for (const clients of connectionsList) {
          const r = c.walk ? await walkLoad(c.urls(s)[0], clients, duration) : await httpLoad(c.urls(s), clients, duration);
          const row: Row = { size, request: c.name, server: s.name, clients, ...r };
          rows.push(row);
          console.log(
            `${size} | ${c.name} | ${s.name} | ${clients} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.rps.toFixed(0)} | ${r.errors}`,
          );
          await cancelPeerStatements(pool);
        }
      }
      console.log(`${new Date().toISOString()} raw SQL of ${c.name}`);
      await sqlLoad(pool, c.sql, 4, 1); // warm
      for (const clients of connectionsList) {
        const r = await sqlLoad(pool, c.sql, clients, duration);
        const walkS = c.walk ? ((WALK_ITEMS / PAGE) * clients) / r.rps : undefined;
        rows.push({ size, request: c.name, server: 'raw SQL', clients, ...r, walkS });
        console.log(`${size} | ${c.name} | raw SQL | ${clients} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.rps.toFixed(0)}`);
      }
    }

    // Tiles: Jardem's route uncached (a new always-true `from` per request: a new cache key, the
    // same plan, as run.ts does) beside the ST_AsMVT it runs.
    let uniq = 0;
    const fresh = () => `from=2000-01-01T00:00:00.${String(uniq++ % 1_000_000).padStart(6, '0')}Z`;
    for (const z of [14, 12]) {
      if (only && !only.includes(`tile${z}`)) continue;
      await tileCase(z).catch((err: Error) => console.error(`${size} tile z${z}: ${err.stack}`));
    }
    async function tileCase(z: number) {
      const t = tileAt(facts.cx, facts.cy, z);
      const name = `MVT z${z} ${t.x}/${t.y}, uncached`;
      const urls = () => `http://127.0.0.1:${jPort}/tiles/incidents/${z}/${t.x}/${t.y}.mvt?${fresh()}`;
      await httpLoad(urls, 4, 2);
      for (const clients of connectionsList) {
        const r = await httpLoad(urls, clients, duration);
        rows.push({ size, request: name, server: 'Jardem tiles', clients, ...r });
        console.log(`${size} | ${name} | Jardem tiles | ${clients} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.rps.toFixed(0)}`);
      }
      const sql = await record(() =>
        renderIncidentTile(pool, catalog, { status: ['open'], from: '2000-01-01T00:00:00.000001Z' }, t, 'postgis'),
      );
      await sqlLoad(pool, [sql], 4, 1);
      for (const clients of connectionsList) {
        const r = await sqlLoad(pool, [sql], clients, duration);
        rows.push({ size, request: name, server: 'raw ST_AsMVT', clients, ...r });
        console.log(`${size} | ${name} | raw ST_AsMVT | ${clients} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.rps.toFixed(0)}`);
      }
    }
  } finally {
    stopAll();
    await Promise.race([pool.end(), sleep(5000)]);
    if (!values['keep-dir']) rmSync(dir, { recursive: true, force: true });
  }
}

/** Ratios of every timed row: req/s ÷ the best peer's, and raw SQL req/s ÷ its own. */
function addRatios(rows: Row[]) {
  for (const r of rows) {
    if (r.rps === null) continue;
    const same = rows.filter((o) => o.size === r.size && o.request === r.request && o.clients === r.clients && o.rps !== null);
    const peers = same.filter((o) => o.server === 'MapServer 8' || o.server === 'QGIS Server');
    const best = peers.length ? Math.max(...peers.map((o) => o.rps!)) : null;
    const sql = same.find((o) => o.server === 'raw SQL' || o.server === 'raw ST_AsMVT');
    r.vsBestPeer = best ? r.rps / best : null;
    r.sqlOverServer = sql?.rps ? sql.rps / r.rps : null;
  }
}

async function main() {
  installPeers();
  const rows: Row[] = [];
  const t0 = new Date();
  try {
    for (const size of sizes) await benchSize(size, rows);
  } finally {
    stopAll();
  }
  addRatios(rows);
  const f = (n: number | null | undefined, d = 1) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));
  console.log(
    `\n${t0.toISOString()}; ${duration} s per row; Accept-Encoding: ${values.encoding}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  console.log('| size | request | server | clients | p50 ms | p95 ms | req/s | × best peer | raw SQL ÷ server | walk s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.note) {
      console.log(`| ${r.size} | ${r.request} | ${r.server} | – | – | – | – | – | ${r.note} | – |`);
      continue;
    }
    const sql = r.server.startsWith('raw');
    console.log(
      `| ${r.size} | ${r.request} | ${r.server} | ${r.clients} | ${f(r.p50)} | ${f(r.p95)} | ${Math.round(r.rps!)}${r.errors ? ` (${r.errors} errors)` : ''} | ${sql ? '–' : f(r.vsBestPeer, 2)} | ${sql ? '–' : f(r.sqlOverServer, 2)} | ${f(r.walkS, 1)} |`,
    );
  }
  mkdirSync('.tmp', { recursive: true });
  const file = `.tmp/bench-peers-${values.size}-${t0.toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ at: t0, duration, encoding: values.encoding, rows }, null, 2));
  console.log(`\nResults: ${file}`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    stopAll();
    process.exit(1);
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    stopAll();
    console.error(err);
    process.exit(1);
  },
);
