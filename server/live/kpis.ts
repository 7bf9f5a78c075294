import type pg from 'pg';
import { getCatalog } from '../catalog.ts';
import { summary, type Kpis } from '../stats/queries.ts';
import type { LiveHub } from './hub.ts';

export type KpiListener = (k: Kpis) => void;

const DAY_MS = 86_400_000;

/**
 * The city's KPIs for the wall, recomputed after changes at most once a second (however many
 * appeals change), and sent only when they differ from the last ones sent. A slow timer also
 * catches changes that come from the clock alone (an appeal becoming overdue, a new day).
 */
export class KpiTicker {
  private readonly listeners = new Set<KpiListener>();
  private dirty = true;
  private current?: Kpis;
  private serialized = '';
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    private readonly pool: pg.Pool,
    private readonly hub: LiveHub,
    private readonly everyMs = 1000,
    private readonly clockMs = 30_000,
  ) {}

  private start(): void {
    if (this.timer) return;
    this.unsubscribe = this.hub.subscribe(() => (this.dirty = true));
    let sinceClock = 0;
    this.timer = setInterval(() => {
      sinceClock += this.everyMs;
      if (sinceClock >= this.clockMs) {
        sinceClock = 0;
        this.dirty = true;
      }
      if (this.dirty) void this.refresh().catch(() => undefined);
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
  }

  /** The latest KPIs (computed now if there are none yet). */
  async latest(): Promise<Kpis> {
    if (!this.current) await this.refresh();
    return this.current!;
  }

  subscribe(fn: KpiListener): () => void {
    this.start();
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private async refresh(): Promise<void> {
    this.dirty = false;
    const to = new Date().toISOString();
    const from = new Date(Date.now() - 30 * DAY_MS).toISOString();
    const { city } = await summary(this.pool, await getCatalog(this.pool), {}, from, to);
    this.current = city;
    const s = JSON.stringify(city);
    if (s === this.serialized) return;
    this.serialized = s;
    for (const fn of this.listeners) fn(city);
  }
}
