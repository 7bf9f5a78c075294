import type pg from 'pg';
import { getCatalog } from '../catalog.ts';
import type { LiveStats } from '../contract/kpis.ts';
import { summary } from '../stats/queries.ts';
import type { LiveHub } from './hub.ts';
import { SnapshotTicker } from './snapshot.ts';

/** The `stats` event (server/contract/kpis.ts): the city's KPIs of the last 30 city days, each district's, the period. */
export type { LiveStats } from '../contract/kpis.ts';

/** The KPIs of the last 30 city days (the pool's sessions run in the city's time zone). */
export async function liveStats(pool: pg.Pool): Promise<LiveStats> {
  const { rows } = await pool.query<{ from: string; to: string }>(
    `SELECT to_char(current_date - 29, 'YYYY-MM-DD') AS "from", to_char(current_date + 1, 'YYYY-MM-DD') AS "to"`,
  );
  const { from, to } = rows[0];
  const s = await summary(pool, await getCatalog(pool), {}, from, to);
  return { ...s.city, districts: s.districts, period: { from, to } };
}

/**
 * The KPIs for the wall and the control room, recomputed after changes at most once a second
 * (however many appeals change) and every 30 s for the clock's changes, pushed only when they
 * differ from the last ones.
 */
export class KpiTicker extends SnapshotTicker<LiveStats> {
  constructor(pool: pg.Pool, hub: LiveHub, everyMs = 1000, clockMs = 30_000) {
    super(hub, () => liveStats(pool), { everyMs, clockMs });
  }
}
