/**
 * npm run eta:run
 * Runs the ETA job once (server/lifecycle/eta-job.ts): records the estimates of open appeals,
 * settles those of resolved appeals and recomputes the accuracy per category.
 */
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/pool.ts';
import { runEtaJob } from '../lifecycle/eta-job.ts';

const config = loadConfig();
const db = await openDatabase(config);
try {
  await migrate(db.pool);
  const run = await runEtaJob(db.pool);
  console.log(`ETAs recorded: ${run.recorded}, settled: ${run.settled}, categories with accuracy: ${run.categories}`);
} catch (err) {
  console.error(`Failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
