import pg from 'pg';
import type { Engine } from '../db/pool.ts';
import { log } from '../log.ts';

/** One change to an appeal as screens receive it (no personal data). */
export interface LiveEvent {
  id: number;
  kind: 'incident.created' | 'incident.updated';
  at: string;
  data: Record<string, unknown>;
}

export type Listener = (e: LiveEvent) => void;

interface Options {
  pool: pg.Pool;
  engine: Engine;
  /** For LISTEN on PostgreSQL (a dedicated connection outside the pool). */
  databaseUrl?: string;
  /** Poll period in ms: the embedded engine's only signal, PostgreSQL's safety net. */
  pollMs?: number;
}

// An id that is missing between two seen ids may belong to a transaction still in flight
// (sequence values are taken before commit). Look for it again for this long.
const GAP_WAIT_MS = 10_000;
const BATCH = 1000;
// Events that committed after a higher id had been delivered ("late") are remembered this long,
// so that a client reconnecting with a Last-Event-ID above them still receives them.
const LATE_KEEP_MS = 60_000;
const LATE_MAX = 1000;
// The LISTEN connection comes back within 5 s of the database: first retry after 1 s, then
// every 2, 4, 5, 5 ... s while it stays down.
const LISTEN_RETRY_FIRST_MS = 1000;
const LISTEN_RETRY_MAX_MS = 5000;

/**
 * Reads the live_events outbox in id order and fans new events out to listeners in this
 * process. Woken by NOTIFY on PostgreSQL (so every instance sees every commit), by polling on
 * the embedded engine. Replays for reconnecting clients come from the same table.
 */
export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private readonly closers = new Set<() => void>();
  private last = 0;
  private readonly gaps = new Map<number, number>();
  /** late event ids with the time they were delivered, oldest first */
  private late: { id: number; at: number }[] = [];
  private timer?: NodeJS.Timeout;
  private pruner?: NodeJS.Timeout;
  private listenClient?: pg.Client;
  private reading?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: Options) {}

  private started?: Promise<void>;

  /** Starts once; later calls wait for the same start. */
  ensureStarted(): Promise<void> {
    this.started ??= this.start().catch((err) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  private async start(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ id: number | null }>('SELECT max(id) AS id FROM live_events');
    this.last = rows[0].id ?? 0;
    const listening = this.opts.engine === 'postgres' && Boolean(this.opts.databaseUrl);
    if (listening) await this.listen();
    const every = this.opts.pollMs ?? (listening ? 2000 : 250);
    this.timer = setInterval(() => this.wake(), every);
    this.timer.unref();
    // Replays reach back at most this far; older events are removed hourly.
    this.pruner = setInterval(() => {
      this.opts.pool.query(`DELETE FROM live_events WHERE at < now() - interval '3 days'`).catch(() => undefined);
    }, 3_600_000);
    this.pruner.unref();
  }

  /** Stops reading and ends every open stream (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.pruner);
    await this.listenClient?.end().catch(() => undefined);
    for (const close of this.closers) close();
    this.closers.clear();
    this.listeners.clear();
  }

  /** Called when the hub stops, so that open streams end cleanly; returns an unregister function. */
  onStop(fn: () => void): () => void {
    this.closers.add(fn);
    return () => this.closers.delete(fn);
  }

  get size(): number {
    return this.listeners.size;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Events after `afterId`, oldest first (at most `limit`), for a reconnecting client: those
   * with a higher id, and those with a lower id that committed late, after the client could
   * have seen a higher one (the client drops any it already has by id).
   */
  async replay(afterId: number, limit = 5000): Promise<LiveEvent[]> {
    const cutoff = Date.now() - LATE_KEEP_MS;
    const late = this.late.filter((l) => l.at >= cutoff && l.id <= afterId).map((l) => l.id);
    const { rows } = await this.opts.pool.query(
      `SELECT id, kind, at, payload FROM live_events WHERE (id > $1 AND id <= $2) OR id = ANY($4::bigint[]) ORDER BY id LIMIT $3`,
      [afterId, this.last, limit, late],
    );
    return rows.map(toEvent);
  }

  /**
   * True when the outbox no longer holds every event after `afterId`: it was pruned (the
   * client was away for days) or the id is from another database (it is above anything here).
   */
  async lostSince(afterId: number): Promise<boolean> {
    // another instance may have delivered it a moment before this one read it
    if (afterId > this.last) await this.wake();
    if (afterId > this.last) return true;
    const { rows } = await this.opts.pool.query<{ id: number | null }>('SELECT min(id) AS id FROM live_events');
    const oldest = rows[0].id;
    if (oldest === null) return afterId < this.last;
    return oldest > afterId + 1;
  }

  /** The newest event id this hub has delivered. */
  get lastId(): number {
    return this.last;
  }

  /** Reads new events now (coalesces concurrent wake-ups). */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.read()
      .catch((err) => log.warn({ err: (err as Error).message }, 'live: reading events failed'))
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          void this.wake();
        }
      });
    return this.reading;
  }

  private async read(): Promise<void> {
    const now = Date.now();
    for (const [id, since] of this.gaps) if (now - since > GAP_WAIT_MS) this.gaps.delete(id);
    for (;;) {
      const { rows } = await this.opts.pool.query(
        `SELECT id, kind, at, payload FROM live_events WHERE id > $1 OR id = ANY($2::bigint[]) ORDER BY id LIMIT ${BATCH}`,
        [this.last, [...this.gaps.keys()]],
      );
      for (const row of rows) {
        const e = toEvent(row);
        if (this.gaps.delete(e.id)) {
          this.rememberLate(e.id, now);
          this.emit(e);
          continue;
        }
        for (let missing = this.last + 1; missing < e.id; missing++) this.gaps.set(missing, now);
        this.last = e.id;
        this.emit(e);
      }
      if (rows.length < BATCH) return;
    }
  }

  private rememberLate(id: number, now: number): void {
    const cutoff = now - LATE_KEEP_MS;
    if (this.late.length >= LATE_MAX || (this.late.length && this.late[0].at < cutoff)) {
      this.late = this.late.filter((l) => l.at >= cutoff).slice(-(LATE_MAX - 1));
    }
    this.late.push({ id, at: now });
  }

  private emit(e: LiveEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'live: a listener failed');
      }
    }
  }

  /** Delay before the next LISTEN attempt: 1 s after a loss, doubling to 5 s while it fails. */
  private listenDelay = LISTEN_RETRY_FIRST_MS;

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.databaseUrl });
    let lost = false;
    // The connection dropped (a database restart) or could not be made: polling carries on
    // (and fails quietly meanwhile); try LISTEN again with back-off, then read what was missed.
    const retry = () => {
      if (lost) return;
      lost = true;
      if (this.listenClient === client) this.listenClient = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      const delay = this.listenDelay;
      this.listenDelay = Math.min(delay * 2, LISTEN_RETRY_MAX_MS);
      setTimeout(
        () =>
          void this.listen().then(
            () => this.wake(),
            () => undefined,
          ),
        delay,
      ).unref();
    };
    client.on('notification', () => void this.wake());
    client.on('error', retry);
    client.on('end', retry);
    try {
      await client.connect();
      await client.query('LISTEN jardem_live');
    } catch (err) {
      retry();
      throw err;
    }
    if (this.stopped) return void client.end().catch(() => undefined);
    this.listenDelay = LISTEN_RETRY_FIRST_MS;
    this.listenClient = client;
  }
}

function toEvent(r: { id: number; kind: LiveEvent['kind']; at: Date; payload: Record<string, unknown> }): LiveEvent {
  return { id: r.id, kind: r.kind, at: r.at.toISOString(), data: r.payload };
}
