import type pg from 'pg';
import type { Bots } from './channels/bots.ts';
import type { Config } from './config.ts';
import type { SessionUser } from './domain/roles.ts';
import type { Engine } from './db/pool.ts';
import type { AlertTicker } from './live/alerts.ts';
import type { LiveHub } from './live/hub.ts';
import type { KpiTicker } from './live/kpis.ts';

/** What every sub-app receives: the database and the settings. */
export interface Deps {
  pool: pg.Pool;
  engine: Engine;
  config: Config;
  /** The live event hub, KPI and alert tickers; createApp makes what is not given. */
  live?: { hub: LiveHub; kpis: KpiTicker; alerts?: AlertTicker };
  /** The messenger bots; createApp makes them from the configuration when not given. */
  bots?: Bots;
}

/** Hono environment shared by all sub-apps. */
export interface AppEnv {
  Variables: { user: SessionUser | null };
}
