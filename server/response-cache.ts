import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type pg from 'pg';
import { readChangeCounter } from './tiles/cache.ts';

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
 * Answers that depend on the clock (overdue, "today") pass a `ttlMs` of a few seconds.
 */

const SETTLE_MS = 1000;
/** Answers kept per pool; the oldest go first. */
const MAX_ENTRIES = 500;
/** Compressing pays from about this size on. */
const GZIP_FROM_BYTES = 1024;

interface Entry {
  json: string;
  gzip: Buffer | null;
  expires: number;
}

interface PoolCache {
  entries: Map<string, Entry>;
  pending: Map<string, Promise<Entry>>;
  version: string | null;
  checking: Promise<void> | null;
  changedAt: number;
}

const caches = new WeakMap<pg.Pool, PoolCache>();

function cacheOf(pool: pg.Pool): PoolCache {
  let c = caches.get(pool);
  if (!c) {
    c = { entries: new Map(), pending: new Map(), version: null, checking: null, changedAt: 0 };
    caches.set(pool, c);
  }
  return c;
}

/** Forgets this pool's answers (this process just changed appeals). */
export function invalidateResponses(pool: pg.Pool): void {
  const c = caches.get(pool);
  if (!c) return;
  c.entries.clear();
  c.changedAt = Date.now();
}

async function sync(pool: pg.Pool, c: PoolCache): Promise<void> {
  c.checking ??= readChangeCounter(pool)
    .then((v) => {
      if (c.version !== null && v !== c.version) {
        c.entries.clear();
        c.changedAt = Date.now();
      }
      c.version = v;
    })
    .finally(() => {
      c.checking = null;
    });
  await c.checking;
}

/**
 * The answer for `key`: cached, or computed by `compute` (concurrent requests for the same
 * missing key share one computation). Returns the JSON text and its gzip.
 */
export async function cachedAnswer(pool: pg.Pool, key: string, ttlMs: number, compute: () => Promise<unknown>): Promise<Entry> {
  const c = cacheOf(pool);
  await sync(pool, c);
  const hit = c.entries.get(key);
  if (hit && hit.expires > Date.now()) return hit;
  let job = c.pending.get(key);
  if (!job) {
    const startedAt = Date.now();
    job = compute()
      .then((value) => {
        const json = JSON.stringify(value);
        const entry: Entry = {
          json,
          gzip: json.length >= GZIP_FROM_BYTES ? gzipSync(json, { level: 6 }) : null,
          expires: Date.now() + (startedAt < c.changedAt + SETTLE_MS ? Math.min(ttlMs, SETTLE_MS) : ttlMs),
        };
        c.entries.delete(key);
        c.entries.set(key, entry);
        if (c.entries.size > MAX_ENTRIES) c.entries.delete(c.entries.keys().next().value!);
        return entry;
      })
      .finally(() => c.pending.delete(key));
    c.pending.set(key, job);
  }
  return job;
}

/**
 * Serves a cached answer to a GET: keyed by the path and query string, gzip when the client
 * takes it (the compress middleware leaves an encoded body alone).
 */
export async function respondCached(c: Context, pool: pg.Pool, ttlMs: number, compute: () => Promise<unknown>): Promise<Response> {
  const url = new URL(c.req.url);
  const entry = await cachedAnswer(pool, url.pathname + url.search, ttlMs, compute);
  c.header('Content-Type', 'application/json; charset=UTF-8');
  c.header('Vary', 'Accept-Encoding');
  if (entry.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
    c.header('Content-Encoding', 'gzip');
    return c.body(entry.gzip as unknown as ArrayBuffer);
  }
  return c.body(entry.json);
}
