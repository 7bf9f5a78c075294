import type pg from 'pg';
import { computeAlerts, type AlertSnapshot } from '../alerts/queries.ts';
import type { LiveHub } from './hub.ts';
import { SnapshotTicker } from './snapshot.ts';

/**
 * The city's alerts for the `alerts` event and GET /api/alerts: recomputed after changes at
 * most once a second and every 30 s (the last hour slides, deadlines pass); a change is a
 * change of the alerts themselves, not of the time they were computed.
 */
export class AlertTicker extends SnapshotTicker<AlertSnapshot> {
  constructor(pool: pg.Pool, hub: LiveHub, everyMs = 1000, clockMs = 30_000) {
    super(hub, () => computeAlerts(pool), { everyMs, clockMs, key: (a) => JSON.stringify(a.items) });
  }
}
