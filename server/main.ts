/**
 * Jardem's server: `npm start`. Reads the configuration, opens the database (PostgreSQL at
 * DATABASE_URL or the embedded PGlite), prepares it, and serves the API and the client.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp, inFlight } from './app.ts';
import { createBots } from './channels/bots.ts';
import { NOTIFY_EVERY_MS, runChannelSweeps } from './channels/notify.ts';
import { prepareDatabase } from './boot.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/pool.ts';
import { applyHttpTimeouts, httpServerOptions } from './http-timeouts.ts';
import { readCityPack } from './geodata/pack.ts';
import { HOUSEKEEPING_EVERY_MS, runHousekeeping } from './lifecycle/housekeeping.ts';
import { ETA_EVERY_MS, ETA_FIRST_RUN_MS, runEtaJobQuietly } from './lifecycle/eta-job.ts';
import { LiveHub } from './live/hub.ts';
import { startSms } from './sms/setup.ts';
import { KpiTicker } from './live/kpis.ts';
import { CELLS_SETTLE_EVERY_MS, settleTileCells } from './tiles/cells.ts';
import { log } from './log.ts';

async function main() {
  const config = loadConfig();
  // The pack is read and checked before anything else: a broken pack is a configuration error.
  const city = (await readCityPack(config.JARDEM_CITY)).city;
  log.info(
    {
      engine: config.DATABASE_URL ? 'postgres' : 'pglite',
      dataDir: config.DATABASE_URL ? undefined : config.JARDEM_DATA_DIR,
      replica: Boolean(config.DATABASE_REPLICA_URL),
    },
    'opening database',
  );
  const db = await openDatabase({ ...config, timezone: city.timeZone });
  await prepareDatabase(db.pool, { city: config.JARDEM_CITY, demo: config.JARDEM_DEMO, demoCount: config.JARDEM_DEMO_COUNT });
  const hub = new LiveHub({ pool: db.pool, engine: db.engine, databaseUrl: config.DATABASE_URL });
  await hub.ensureStarted();
  const bots = createBots(config, db.pool);
  // SMS to callers: registration numbers, feedback links (and status changes if configured).
  const sms = await startSms(config, db.pool);
  const app = createApp({
    pool: db.pool,
    // h-replica: stale-tolerant reads on the replica (DATABASE_REPLICA_URL), else the primary.
    reads: db.reads,
    replica: db.replica,
    engine: db.engine,
    config,
    live: { hub, kpis: new KpiTicker(db.pool, hub) },
    bots,
  });
  // Results of resolved bot appeals go out with rating buttons; day-old conversations close.
  const channelSweeps = setInterval(() => void runChannelSweeps(db.pool, bots.adapters), NOTIFY_EVERY_MS);
  channelSweeps.unref();
  // Resolved appeals nobody disputed close after 15 days; old idempotency answers are dropped.
  void runHousekeeping(db.pool);
  const housekeeping = setInterval(() => void runHousekeeping(db.pool), HOUSEKEEPING_EVERY_MS);
  housekeeping.unref();
  // ETAs: estimates recorded, settled at resolution, accuracy per category (issue 24). The first
  // run waits a minute so that it does not compete with start-up and the first clients.
  const etaFirst = setTimeout(() => void runEtaJobQuietly(db.pool), ETA_FIRST_RUN_MS);
  etaFirst.unref();
  const etaJob = setInterval(() => void runEtaJobQuietly(db.pool), ETA_EVERY_MS);
  etaJob.unref();
  // The city tiles' pre-aggregated cells: clock flags set, writers' rows folded (migration 028).
  const cellsJob = setInterval(() => void settleTileCells(db.pool), CELLS_SETTLE_EVERY_MS);
  cellsJob.unref();
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST, serverOptions: httpServerOptions(config) }, (info) => {
    log.info({ url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${info.port}` }, 'Jardem is listening');
  });
  applyHttpTimeouts(server as Server, config);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Stop accepting connections, let the requests in flight finish (even those whose client
    // has gone), then close the database.
    server.close();
    clearInterval(housekeeping);
    clearTimeout(etaFirst);
    clearInterval(etaJob);
    clearInterval(cellsJob);
    clearInterval(channelSweeps);
    void sms?.stop();
    void hub.stop();
    const deadline = Date.now() + 10_000;
    const finish = async () => {
      if (inFlight.count > 0 && Date.now() < deadline) return void setTimeout(finish, 50);
      await db.close().catch(() => undefined);
      process.exit(0);
    };
    void finish();
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Exit code of a configuration error (sysexits.h EX_CONFIG): scripts/supervise.mjs does not restart on it. */
export const EXIT_CONFIG = 78;

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(EXIT_CONFIG);
  }
  log.fatal({ err }, 'start-up failed');
  process.exit(1);
});
