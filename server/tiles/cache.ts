import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type pg from 'pg';
import { primaryOf } from '../db/replica.ts';
import { BUFFER, EXTENT, MAX_ZOOM } from './tile-sql.ts';

/** A rendered tile as served: the bytes (null when empty), their gzip and an ETag. */
export interface RenderedTile {
  body: Uint8Array | null;
  gzip: Uint8Array | null;
  etag: string;
}

export interface TileCacheOptions {
  /** Bytes of tiles kept (raw + gzip); the least recently used go first. */
  maxBytes?: number;
  /**
   * A tile older than this is rendered again even if nothing was seen to change: the overdue
   * flag and the heat weight move with the clock alone.
   */
  ttlMs?: number;
  /** The change counter is read at most this often. */
  checkEveryMs?: number;
  /**
   * After the change counter moves, the recorded changes are read on every check for this
   * long. The counter moves when a writer's statement runs, before it commits; its recorded
   * positions become visible only at commit, which writers do within milliseconds.
   */
  settleMs?: number;
}

/** A recorded change (migration 013): a position whose tiles are stale, or null: all of them. */
export interface TileChange {
  id: string;
  lng: number | null;
  lat: number | null;
}

/** Where the cache learns about changes to incidents. */
export interface TileChangeSource {
  /** The change counter: one cheap read that moves with every statement on incidents. */
  version(): Promise<string>;
  /** The changes recorded within the last `ms` milliseconds. */
  recent(ms: number): Promise<TileChange[]>;
}

/** More changes than this at once: everything is dropped instead. */
const MAX_CHANGES_READ = 5000;

/** Compressing pays from about this size on. */
const GZIP_FROM_BYTES = 512;

/** Makes the served form of tile bytes: gzip when worth it, and a content ETag. */
export function renderedTile(bytes: Uint8Array | null): RenderedTile {
  if (!bytes || bytes.byteLength === 0) return { body: null, gzip: null, etag: 'W/"empty"' };
  const hash = createHash('sha1').update(bytes).digest('base64url').slice(0, 22);
  return { body: bytes, gzip: bytes.byteLength >= GZIP_FROM_BYTES ? gzipSync(bytes, { level: 6 }) : null, etag: `W/"${hash}"` };
}

const size = (t: RenderedTile) => (t.body?.byteLength ?? 0) + (t.gzip?.byteLength ?? 0) + 200;

const caches = new Set<TileCache>();

/**
 * Forgets every cached tile in this process at once, e.g. right after this process changed
 * incidents. Other processes and instances notice through the database's change counter
 * within a second.
 */
export function invalidateTiles(): void {
  for (const c of caches) c.clear();
}

/**
 * Reads the database's incident change counter (migration 004): one row, no table scan. It
 * moves with every statement that inserts, updates or deletes incidents.
 */
export async function readChangeCounter(pool: pg.Pool): Promise<string> {
  // Always on the primary: a standby sees a sequence move only every 32 values (its WAL is
  // written ahead), so a replica's counter would miss changes (docs/operations.md).
  const { rows } = await primaryOf(pool).query<{ v: string }>(
    `SELECT last_value::text || ':' || is_called::text AS v FROM incident_changes_seq`,
  );
  return rows[0].v;
}

/** The database's change counter and its recorded change positions. */
export function databaseTileChanges(pool: pg.Pool): TileChangeSource {
  return {
    version: () => readChangeCounter(pool),
    recent: async (ms) =>
      (
        await pool.query<TileChange>(
          `SELECT id::text AS id, lng, lat FROM incident_tile_changes WHERE at > clock_timestamp() - make_interval(secs => $1)
            ORDER BY id LIMIT ${MAX_CHANGES_READ + 1}`,
          [ms / 1000],
        )
      ).rows,
  };
}

/** The tiles (z/x/y) at every zoom whose area, with its point buffer, holds a position. */
export function tilesAround(lng: number, lat: number, maxZoom = MAX_ZOOM): string[] {
  const out: string[] = [];
  const rad = (Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180;
  const u = (lng + 180) / 360;
  const v = (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2;
  const margin = BUFFER / EXTENT;
  for (let z = 0; z <= maxZoom; z++) {
    const n = 2 ** z;
    const [fx, fy] = [u * n, v * n];
    const xs = [Math.floor(fx - margin), Math.floor(fx), Math.floor(fx + margin)];
    const ys = [Math.floor(fy - margin), Math.floor(fy), Math.floor(fy + margin)];
    for (const x of new Set(xs)) for (const y of new Set(ys)) if (x >= 0 && y >= 0 && x < n && y < n) out.push(`${z}/${x}/${y}`);
  }
  return out;
}

/**
 * An in-process cache of rendered tiles keyed by `z/x/y|filters`, with concurrent requests for
 * the same missing tile sharing one render. When the database's change counter moves (checked
 * at most once a second, on demand), it reads the positions that changed and drops only the
 * tiles holding them, at every zoom; a change without a position, or `invalidateTiles()`,
 * empties it. Entries expire after `ttlMs` anyway.
 */
export class TileCache {
  private readonly entries = new Map<string, { tile: RenderedTile; at: number }>();
  /** z/x/y -> the keys cached for that tile (one per filter). */
  private readonly byTile = new Map<string, Set<string>>();
  private readonly pending = new Map<string, Promise<RenderedTile>>();
  private bytes = 0;
  private version: string | null = null;
  private checkedAt = 0;
  private checking: Promise<void> | null = null;
  /** Until when recorded changes are read on every check. */
  private readingUntil = 0;
  /** Recorded changes already applied, with when they were seen. */
  private readonly seen = new Map<string, number>();
  /** Counts drops for changes: a render that saw it move is not kept. */
  private drops = 0;
  readonly stats = { hits: 0, misses: 0, clears: 0, dropped: 0 };
  private readonly opts: Required<TileCacheOptions>;

  constructor(
    private readonly changes: TileChangeSource,
    opts: TileCacheOptions = {},
  ) {
    this.opts = { maxBytes: 32 * 1024 * 1024, ttlMs: 2 * 60_000, checkEveryMs: 1000, settleMs: 10_000, ...opts };
    caches.add(this);
  }

  /** Stops this cache from taking part in invalidateTiles() (when its app is discarded). */
  dispose(): void {
    caches.delete(this);
    this.clear();
  }

  clear(): void {
    this.entries.clear();
    this.byTile.clear();
    this.bytes = 0;
    this.drops++;
    this.stats.clears++;
  }

  /** Drops the cached tiles that hold a position, at every zoom. */
  private drop(lng: number, lat: number): void {
    for (const tile of tilesAround(lng, lat)) {
      const keys = this.byTile.get(tile);
      if (!keys) continue;
      for (const k of [...keys]) this.remove(k);
      this.stats.dropped += keys.size;
    }
    this.drops++;
  }

  /** Reads the change counter if the last read is older than checkEveryMs, and applies changes. */
  private async sync(): Promise<void> {
    if (Date.now() - this.checkedAt < this.opts.checkEveryMs) return;
    this.checking ??= this.check().finally(() => {
      this.checking = null;
    });
    await this.checking;
  }

  private async check(): Promise<void> {
    const v = await this.changes.version();
    const now = Date.now();
    this.checkedAt = now;
    if (this.version === null) {
      // Nothing was cached before the first read: the changes before it do not matter.
      this.version = v;
      return;
    }
    if (v !== this.version) {
      this.version = v;
      this.readingUntil = now + this.opts.settleMs;
    }
    if (now > this.readingUntil) return;
    let recent: TileChange[];
    try {
      recent = await this.changes.recent(this.opts.settleMs + 2 * this.opts.checkEveryMs);
    } catch {
      recent = [{ id: 'unreadable', lng: null, lat: null }];
    }
    if (recent.length > MAX_CHANGES_READ) recent = [{ id: `many:${v}`, lng: null, lat: null }];
    for (const c of recent) {
      if (this.seen.has(c.id)) continue;
      this.seen.set(c.id, now);
      if (c.lng === null || c.lat === null) this.clear();
      else this.drop(c.lng, c.lat);
    }
    for (const [id, at] of this.seen) if (now - at > 2 * this.opts.settleMs + 4 * this.opts.checkEveryMs) this.seen.delete(id);
  }

  /** The cached tile for `key` (`z/x/y|filters`), or a fresh render, kept unless a change overtook it. */
  async get(key: string, render: () => Promise<Uint8Array | null>): Promise<RenderedTile & { cached: boolean }> {
    await this.sync();
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.opts.ttlMs) {
      // Least recently used order: a hit moves to the end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.stats.hits++;
      return { ...hit.tile, cached: true };
    }
    if (hit) this.remove(key);
    this.stats.misses++;
    let job = this.pending.get(key);
    if (!job) {
      const drops = this.drops;
      job = render()
        .then((bytes) => {
          const tile = renderedTile(bytes);
          // A change applied while this rendered may not be in it.
          if (drops === this.drops) this.put(key, tile);
          return tile;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    return { ...(await job), cached: false };
  }

  private put(key: string, tile: RenderedTile): void {
    this.remove(key);
    this.entries.set(key, { tile, at: Date.now() });
    const t = tileOfKey(key);
    let keys = this.byTile.get(t);
    if (!keys) this.byTile.set(t, (keys = new Set()));
    keys.add(key);
    this.bytes += size(tile);
    for (const [k] of this.entries) {
      if (this.bytes <= this.opts.maxBytes) break;
      this.remove(k);
    }
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    const t = tileOfKey(key);
    const keys = this.byTile.get(t);
    keys?.delete(key);
    if (keys && !keys.size) this.byTile.delete(t);
    this.bytes -= size(e.tile);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The z/x/y part of a cache key. */
const tileOfKey = (key: string) => key.split('|', 1)[0];
