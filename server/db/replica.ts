import pg from 'pg';
import { log } from '../log.ts';
import { isDatabaseOutage } from './outage.ts';

/**
 * Reads that may be a little stale (tiles, statistics, OGC API, exports, Open311 GET) on a
 * streaming replica of the primary, chosen in one place (`ReadPool`), with the primary as the
 * fallback whenever the replica is down, unreachable, promoted, or lags beyond a bound.
 *
 * `ReplicaMonitor` checks the replica every `checkEveryMs`: it reads the primary's WAL position
 * (`pg_current_wal_lsn()`) and then the replica's replayed position (`pg_last_wal_replay_lsn()`).
 * The lag is the time since the primary first stood at a position the replica has not replayed
 * yet (from the monitor's own samples), capped by `now() - pg_last_xact_replay_timestamp()` on the
 * replica. An idle primary therefore shows lag 0 (nothing to replay), not the age of its last write.
 */

export type ReplicaState = 'up' | 'lagging' | 'down';

/** What /api/health reports about the replica. */
export interface ReplicaStatus {
  state: ReplicaState;
  /** Milliseconds the replica is behind the primary (null when it could not be measured). */
  lag_ms: number | null;
}

export interface ReplicaOptions {
  /** Beyond this lag (milliseconds) reads go to the primary. */
  maxLagMs: number;
  /** How often the replica is checked (milliseconds). */
  checkEveryMs: number;
}

/** `X/Y` (hex halves of a 64-bit WAL position) as a number that orders like the position. */
function lsn(text: string | null): bigint | null {
  if (!text) return null;
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/**
 * Errors after which a read on the replica is tried again on the primary: the ones that mean
 * "the database cannot be reached" (outage.ts decides that, for the primary too), and the
 * standby's own cancellation of a query whose rows replay needed (40001 "conflict with recovery").
 */
export function isReplicaFailure(err: unknown): boolean {
  if (isDatabaseOutage(err)) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '40001' && typeof e.message === 'string' && /recovery/i.test(e.message);
}

/** Keeps the replica's state and lag up to date; reads ask it `usable()`. */
export class ReplicaMonitor {
  private current: ReplicaStatus = { state: 'down', lag_ms: null };
  /** The primary's WAL positions as sampled, oldest first, with when they were read. */
  private samples: { at: number; lsn: bigint }[] = [];
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(
    readonly primary: pg.Pool,
    readonly replica: pg.Pool,
    readonly opts: ReplicaOptions,
  ) {}

  /** Checks once (so the first requests already know) and then every checkEveryMs. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.opts.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  status(): ReplicaStatus {
    return { ...this.current };
  }

  /** Whether reads may go to the replica now. */
  usable(): boolean {
    return this.current.state === 'up';
  }

  /** A read failed on the replica: the primary takes the reads until the next good check. */
  markDown(): void {
    this.set({ state: 'down', lag_ms: null });
  }

  /** Records the state; a change of state is logged (reads moved to or back from the primary). */
  private set(s: ReplicaStatus): void {
    if (s.state !== this.current.state) {
      const line = { replica: s.state, lag_ms: s.lag_ms, maxLagMs: this.opts.maxLagMs };
      if (s.state === 'up') log.info(line, 'replica up: stale-tolerant reads go to the replica');
      else log.warn(line, 'replica not usable: reads go to the primary');
    }
    this.current = s;
  }

  /** One check (concurrent callers share it); never throws. */
  check(): Promise<void> {
    this.checking ??= this.measure()
      .then(
        (s) => this.set(s),
        () => this.set({ state: 'down', lag_ms: null }),
      )
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }

  private async measure(): Promise<ReplicaStatus> {
    // The primary first: a position the replica has reached by the time it is asked is replayed.
    // With the primary unreachable the replica's own state is still measured (and reported): it
    // has nothing newer to replay, and the lag counts from the positions seen before.
    const head = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn').catch(() => null);
    if (head) {
      const headLsn = lsn(head.rows[0].lsn)!;
      if (!this.samples.length || this.samples[this.samples.length - 1].lsn !== headLsn)
        this.samples.push({ at: Date.now(), lsn: headLsn });
    }
    // A replica stuck for hours: keep the oldest sample (it carries the lag), drop the ones after it.
    if (this.samples.length > 1000) this.samples.splice(1, 1);
    const { rows } = await this.replica.query<{ recovery: boolean; replayed: string | null; since_replay_ms: number | null }>(
      `SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replayed,
              (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS since_replay_ms`,
    );
    const r = rows[0];
    // Promoted (or not a standby at all): not a copy of this primary any more.
    if (!r.recovery) return { state: 'down', lag_ms: null };
    const replayed = lsn(r.replayed);
    if (replayed === null) return { state: 'down', lag_ms: null };
    // Samples the replica has passed are of no more use (keep the last for the next comparison).
    while (this.samples.length > 1 && this.samples[0].lsn <= replayed) this.samples.shift();
    const behind = this.samples.find((s) => s.lsn > replayed);
    let lagMs = behind ? Date.now() - behind.at : 0;
    if (behind && r.since_replay_ms !== null) lagMs = Math.min(lagMs, Math.max(0, r.since_replay_ms));
    lagMs = Math.round(lagMs);
    return { state: lagMs > this.opts.maxLagMs ? 'lagging' : 'up', lag_ms: lagMs };
  }
}

type QueryArgs = Parameters<pg.Pool['query']>;

/**
 * A pool for stale-tolerant reads: each query and each checked-out client comes from the
 * replica's pool while the replica is up, else from the primary's. A query that fails on the
 * replica with a connection error is run once more on the primary (a client already checked out
 * cannot be moved: its caller sees the error, and the next request goes to the primary). It owns
 * no connections of its own; `end()` leaves both pools to their owner.
 */
export class ReadPool extends pg.Pool {
  constructor(readonly monitor: ReplicaMonitor) {
    // The base pool is never connected: connect() and query() are replaced below.
    super({ max: 1 });
    const { primary, replica } = monitor;
    this.query = ((...args: QueryArgs) => {
      const last = args[args.length - 1];
      if (typeof last === 'function' || !monitor.usable()) return (primary.query as (...a: QueryArgs) => unknown)(...args);
      return (replica.query as (...a: QueryArgs) => Promise<unknown>)(...args).catch((err: unknown) => {
        if (!isReplicaFailure(err)) throw err;
        monitor.markDown();
        return (primary.query as (...a: QueryArgs) => Promise<unknown>)(...args);
      });
    }) as pg.Pool['query'];
    const take = async (): Promise<pg.PoolClient> => {
      if (!monitor.usable()) return primary.connect();
      try {
        return await replica.connect();
      } catch (err) {
        if (!isReplicaFailure(err)) throw err;
        monitor.markDown();
        return primary.connect();
      }
    };
    this.connect = ((callback?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) => {
      if (!callback) return take();
      take().then(
        (c) => callback(undefined, c, () => c.release()),
        (err: Error) => callback(err),
      );
    }) as pg.Pool['connect'];
  }

  override end(): Promise<void> {
    return Promise.resolve();
  }
}

/** The primary behind a pool: itself, or the primary of a ReadPool (writes and change counters go there). */
export function primaryOf(pool: pg.Pool): pg.Pool {
  return pool instanceof ReadPool ? pool.monitor.primary : pool;
}

/**
 * How long after a change an answer computed from this pool may still miss it: nothing for the
 * primary, the lag bound for a ReadPool (beyond it reads go to the primary).
 */
export function replicaLagAllowanceMs(pool: pg.Pool): number {
  return pool instanceof ReadPool ? pool.monitor.opts.maxLagMs : 0;
}
