import type pg from 'pg';
import type { RequestScope } from './auth/scope.ts';
import type { Bots } from './channels/bots.ts';
import type { Config } from './config.ts';
import type { SessionUser } from './domain/roles.ts';
import type { Engine } from './db/pool.ts';
import type { ReplicaMonitor } from './db/replica.ts';
import type { AlertTicker } from './live/alerts.ts';
import type { LiveHub } from './live/hub.ts';
import type { KpiTicker } from './live/kpis.ts';

/** What every sub-app receives: the database and the settings. */
export interface Deps {
  pool: pg.Pool;
  /**
   * Stale-tolerant reads (Database.reads: the replica with the primary as fallback); unset, the
   * primary. Route families take it through readPoolOf in createApp, never directly.
   */
  reads?: pg.Pool;
  /** The replica's state for /api/health, when there is one. */
  replica?: ReplicaMonitor;
  engine: Engine;
  config: Config;
  /** The live event hub, KPI and alert tickers; createApp makes what is not given. */
  live?: { hub: LiveHub; kpis: KpiTicker; alerts?: AlertTicker };
  /** The messenger bots; createApp makes them from the configuration when not given. */
  bots?: Bots;
}

/** Hono environment shared by all sub-apps. */
export interface AppEnv {
  /** `scope`: set by enforceAccess from the user and the access matrix (server/auth/scope.ts). */
  Variables: { user: SessionUser | null; scope: RequestScope };
}

/**
 * The one place a read chooses its database: the read pool (replica, falling back to the primary)
 * when the deployment has one, else the primary. Used in createApp for the stale-tolerant route
 * families only (docs/operations.md, "Scaling past one machine").
 */
export function readPoolOf(deps: Deps): pg.Pool {
  return deps.reads ?? deps.pool;
}
