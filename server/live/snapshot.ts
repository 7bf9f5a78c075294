import { log } from '../log.ts';
import type { LiveHub } from './hub.ts';

export interface SnapshotOptions<T> {
  /** Recompute at most this often after changes (ms). */
  everyMs?: number;
  /** Recompute at least this often while someone listens, for changes the clock alone makes (ms). */
  clockMs?: number;
  /** What counts as a change (by default the whole value as JSON). */
  key?: (value: T) => string;
}

/**
 * A value computed from the database and pushed to listeners when it changes: recomputed after
 * appeals change, at most once per `everyMs` however many change (the first change of a quiet
 * spell at once, the rest at the end of the interval), and every `clockMs` (an appeal becomes
 * overdue, a new hour or day begins). Listeners hear only real changes.
 * Without listeners nothing runs; the first reader then gets a fresh value.
 */
export class SnapshotTicker<T> {
  private readonly listeners = new Set<(value: T) => void>();
  private dirty = true;
  private current?: T;
  private computedAt = 0;
  private serialized = '';
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private computing?: Promise<void>;
  private readonly everyMs: number;
  private readonly clockMs: number;
  private readonly key: (value: T) => string;

  constructor(
    private readonly hub: LiveHub,
    private readonly compute: () => Promise<T>,
    opts: SnapshotOptions<T> = {},
  ) {
    this.everyMs = opts.everyMs ?? 1000;
    this.clockMs = opts.clockMs ?? 30_000;
    this.key = opts.key ?? ((v) => JSON.stringify(v));
  }

  private start(): void {
    if (this.timer) return;
    this.dirty = true;
    // The first change after a quiet second is computed at once (the screens see it in
    // milliseconds); changes that follow within the second wait for the timer.
    this.unsubscribe = this.hub.subscribe(() => {
      if (!this.computing && Date.now() - this.computedAt >= this.everyMs) void this.refresh().catch(() => undefined);
      else this.dirty = true;
    });
    let sinceClock = 0;
    this.timer = setInterval(() => {
      sinceClock += this.everyMs;
      if (sinceClock >= this.clockMs) {
        sinceClock = 0;
        this.dirty = true;
      }
      if (this.dirty) void this.refresh().catch((err) => log.warn({ err: (err as Error).message }, 'live: snapshot failed'));
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The latest value: computed now when there is none, or when nobody kept it fresh. */
  async latest(): Promise<T> {
    const stale = !this.timer && Date.now() - this.computedAt > this.everyMs;
    if (this.current === undefined || stale) await this.refresh();
    return this.current!;
  }

  subscribe(fn: (value: T) => void): () => void {
    this.start();
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Recomputes (joining a computation already running) and tells listeners if it changed. */
  refresh(): Promise<void> {
    this.computing ??= this.recompute().finally(() => (this.computing = undefined));
    return this.computing;
  }

  private async recompute(): Promise<void> {
    this.dirty = false;
    let value: T;
    try {
      value = await this.compute();
    } catch (err) {
      this.dirty = true; // try again on the next tick
      throw err;
    }
    this.current = value;
    this.computedAt = Date.now();
    const s = this.key(value);
    if (s === this.serialized) return;
    this.serialized = s;
    for (const fn of this.listeners) {
      try {
        fn(value);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'live: a snapshot listener failed');
      }
    }
  }
}
