import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type pg from 'pg';

/** A rendered tile as served: the bytes (null when empty), their gzip and an ETag. */
export interface RenderedTile {
  body: Uint8Array | null;
  gzip: Uint8Array | null;
  etag: string;
}

export interface TileCacheOptions {
  /** Bytes of tiles kept (raw + gzip); the least recently used go first. */
  maxBytes?: number;
  /** A tile older than this is rendered again even if nothing was seen to change (a safety net). */
  ttlMs?: number;
  /** The change counter is read at most this often. */
  checkEveryMs?: number;
  /**
   * After a change is seen, tiles are not cached for this long. The counter moves when a
   * writer's statement runs, before it commits: a tile rendered in between would miss the
   * change and stay stale. Writers commit within milliseconds of their statement.
   */
  settleMs?: number;
}

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
  const { rows } = await pool.query<{ v: string }>(`SELECT last_value::text || ':' || is_called::text AS v FROM incident_changes_seq`);
  return rows[0].v;
}

/**
 * An in-process cache of rendered tiles keyed by tile and filters, with concurrent requests
 * for the same missing tile sharing one render. It is emptied when the database's change
 * counter moves (checked at most once a second, on demand) or when `invalidateTiles()` is
 * called, and entries expire after `ttlMs` anyway.
 */
export class TileCache {
  private readonly entries = new Map<string, { tile: RenderedTile; at: number }>();
  private readonly pending = new Map<string, Promise<RenderedTile>>();
  private bytes = 0;
  private version: string | null = null;
  private checkedAt = 0;
  private checking: Promise<void> | null = null;
  /** When a change was last seen; renders started before it + settleMs are not kept. */
  private changedAt = 0;
  readonly stats = { hits: 0, misses: 0, clears: 0 };
  private readonly opts: Required<TileCacheOptions>;

  constructor(
    private readonly readVersion: () => Promise<string>,
    opts: TileCacheOptions = {},
  ) {
    this.opts = { maxBytes: 64 * 1024 * 1024, ttlMs: 10 * 60_000, checkEveryMs: 1000, settleMs: 2000, ...opts };
    caches.add(this);
  }

  /** Stops this cache from taking part in invalidateTiles() (when its app is discarded). */
  dispose(): void {
    caches.delete(this);
    this.clear();
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.changedAt = Date.now();
    this.stats.clears++;
  }

  /** Reads the change counter if the last read is older than checkEveryMs; clears on a change. */
  private async sync(): Promise<void> {
    if (Date.now() - this.checkedAt < this.opts.checkEveryMs) return;
    this.checking ??= this.readVersion()
      .then((v) => {
        this.checkedAt = Date.now();
        if (this.version !== null && v !== this.version) this.clear();
        this.version = v;
      })
      .finally(() => {
        this.checking = null;
      });
    await this.checking;
  }

  /** The cached tile for `key`, or a fresh render that is kept unless a change is settling. */
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
      const startedAt = Date.now();
      job = render()
        .then((bytes) => {
          const tile = renderedTile(bytes);
          if (startedAt >= this.changedAt + this.opts.settleMs) this.put(key, tile);
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
    this.bytes -= size(e.tile);
  }

  get size(): number {
    return this.entries.size;
  }
}
