import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type pg from 'pg';
import { readChangeCounter } from './tiles/cache.ts';
import { onCatalogueChange, syncCatalogue } from './catalogue/version.ts';
import { replicaLagAllowanceMs } from './db/replica.ts';
import { acceptsGzip, GZIP_FROM_BYTES } from './gzip-body.ts';

/**
 * Answers of read endpoints over the whole city (district counts, the map's aggregate,
 * statistics, hotspots), kept in memory per pool and served as they were computed — the JSON
 * text and its gzip — until the appeals change or `ttlMs` passes. Wall screens and every
 * dispatcher's map ask for the same few answers many times a second; the database computes
 * each at most once per change.
 *
 * A change is seen through the incident change counter (migration 004): one sequence read per
 * request (requests arriving together share it), far cheaper than any answer. It moves when a
 * writer's statement runs, a little before the writer commits, so an answer computed within
 * `SETTLE_MS` of a change is kept only that long.
 *
 * The answers of a pool are bounded in bytes (JARDEM_RESPONSE_CACHE_MB), the least recently used
 * going first, and keyed on the validated, normalised query: an anonymous loop over distinct
 * parameters can neither grow the heap nor push out every useful answer at no cost to itself.
 * Answers that depend on the clock (overdue, "today") pass a `ttlMs` of a few seconds.
 */

const SETTLE_MS = 1000;
/** Bytes of answers kept per pool unless configureResponseCache says otherwise (JARDEM_RESPONSE_CACHE_MB). */
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024; // the same as JARDEM_RESPONSE_CACHE_MB's default (server/config.ts)
/** Bookkeeping per entry (key, object, map slot), counted with its bytes. */
const ENTRY_OVERHEAD_BYTES = 200;

interface Entry {
  json: string;
  gzip: Buffer | null;
  expires: number;
  /** What the entry holds in memory: the JSON text (UTF-16), its gzip, the key and bookkeeping. */
  bytes: number;
}

interface PoolCache {
  /** In least recently used order: a hit moves to the end, eviction takes from the front. */
  entries: Map<string, Entry>;
  pending: Map<string, Promise<Entry>>;
  version: string | null;
  checking: Promise<void> | null;
  changedAt: number;
  bytes: number;
  maxBytes: number;
  evicted: number;
}

const caches = new WeakMap<pg.Pool, PoolCache>();

function cacheOf(pool: pg.Pool): PoolCache {
  let c = caches.get(pool);
  if (!c) {
    c = {
      entries: new Map(),
      pending: new Map(),
      version: null,
      checking: null,
      changedAt: 0,
      bytes: 0,
      maxBytes: DEFAULT_MAX_BYTES,
      evicted: 0,
    };
    caches.set(pool, c);
  }
  return c;
}

/** Sets the byte budget of this pool's answers (from JARDEM_RESPONSE_CACHE_MB); 0 keeps none. */
export function configureResponseCache(pool: pg.Pool, opts: { maxBytes: number }): void {
  const c = cacheOf(pool);
  c.maxBytes = Math.max(0, opts.maxBytes);
  evict(c);
}

/** What the cache of a pool holds now: entries, their bytes, the budget and evictions so far. */
export function responseCacheStats(pool: pg.Pool): { entries: number; bytes: number; maxBytes: number; evicted: number } {
  const c = cacheOf(pool);
  return { entries: c.entries.size, bytes: c.bytes, maxBytes: c.maxBytes, evicted: c.evicted };
}

function clear(c: PoolCache): void {
  c.entries.clear();
  c.bytes = 0;
  c.changedAt = Date.now();
}

function remove(c: PoolCache, key: string): void {
  const e = c.entries.get(key);
  if (!e) return;
  c.entries.delete(key);
  c.bytes -= e.bytes;
}

/** Drops the least recently used answers until the rest fit the budget. */
function evict(c: PoolCache): void {
  for (const key of c.entries.keys()) {
    if (c.bytes <= c.maxBytes) break;
    remove(c, key);
    c.evicted++;
  }
}

async function sync(pool: pg.Pool, c: PoolCache): Promise<void> {
  c.checking ??= readChangeCounter(pool)
    .then((v) => {
      if (c.version !== null && v !== c.version) clear(c);
      c.version = v;
    })
    .finally(() => {
      c.checking = null;
    });
  await c.checking;
}

/**
 * The answer for `key`: cached, or computed by `compute` (concurrent requests for the same
 * missing key share one computation). Returns the JSON text and its gzip. An answer larger
 * than the whole budget is served but not kept.
 */
export async function cachedAnswer(pool: pg.Pool, key: string, ttlMs: number, compute: () => Promise<unknown>): Promise<Entry> {
  const c = cacheOf(pool);
  // Answers carry the catalogue's names and colours too: an edit in /admin drops them (h-catadmin).
  await syncCatalogue(pool);
  await sync(pool, c);
  const hit = c.entries.get(key);
  if (hit && hit.expires > Date.now()) {
    c.entries.delete(key);
    c.entries.set(key, hit);
    return hit;
  }
  if (hit) remove(c, key);
  let job = c.pending.get(key);
  if (!job) {
    const startedAt = Date.now();
    job = compute()
      .then((value) => {
        const json = JSON.stringify(value);
        const gzip = json.length >= GZIP_FROM_BYTES ? gzipSync(json, { level: 6 }) : null;
        const entry: Entry = {
          json,
          gzip,
          // On a replica (h-replica) the change counter is the primary's: the replica may show
          // the change up to its lag bound later, so answers computed that long after are kept short too.
          expires: Date.now() + (startedAt < c.changedAt + SETTLE_MS + replicaLagAllowanceMs(pool) ? Math.min(ttlMs, SETTLE_MS) : ttlMs),
          bytes: 2 * (json.length + key.length) + (gzip?.byteLength ?? 0) + ENTRY_OVERHEAD_BYTES,
        };
        remove(c, key);
        if (entry.bytes <= c.maxBytes) {
          c.entries.set(key, entry);
          c.bytes += entry.bytes;
          evict(c);
        }
        return entry;
      })
      .finally(() => c.pending.delete(key));
    c.pending.set(key, job);
  }
  return job;
}

/** A value in one canonical form: object keys sorted, lists of codes sorted (their order means nothing). */
function canonical(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x));
    // bbox and other coordinate tuples keep their order; lists of codes do not have one.
    return key === 'bbox' || items.some((x) => typeof x !== 'string') ? items : [...(items as string[])].sort();
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k], k)]),
    );
  }
  return v;
}

/**
 * The cache key of a request: its path and its validated query (defaults applied, keys and
 * lists sorted), never the raw query string, so that `?a=1&b=2`, `?b=2&a=1` and a spelling of
 * the default share one entry, and a parameter the route does not take cannot make a new one.
 */
export function cacheKey(c: Context): string {
  // What the route's validQuery produced (nothing when it has none).
  const query = (c.req as unknown as { valid(target: string): unknown }).valid('query') ?? {};
  return `${c.req.path}?${JSON.stringify(canonical(query))}`;
}

/**
 * Serves a cached answer to a GET: keyed by the path and the validated query (cacheKey), gzip
 * when the client takes it (the compress middleware leaves an encoded body alone).
 */
export async function respondCached(
  c: Context,
  pool: pg.Pool,
  ttlMs: number,
  compute: () => Promise<unknown>,
  /** The media type of the answer (GeoJSON answers say application/geo+json). */
  mediaType = 'application/json',
): Promise<Response> {
  const entry = await cachedAnswer(pool, cacheKey(c), ttlMs, compute);
  c.header('Content-Type', `${mediaType}; charset=UTF-8`);
  c.header('Vary', 'Accept-Encoding');
  if (entry.gzip && acceptsGzip(c)) {
    c.header('Content-Encoding', 'gzip');
    return c.body(entry.gzip as unknown as ArrayBuffer);
  }
  return c.body(entry.json);
}

onCatalogueChange((pool: pg.Pool) => {
  const c = caches.get(pool);
  if (c) clear(c);
});
