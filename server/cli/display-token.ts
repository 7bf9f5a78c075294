/**
 * npm run display:token -- --name "Wall, control room" [--revoke ID] [--list]
 * Issues (or revokes, or lists) display tokens for wall screens; prints the URL to open once.
 */
import { parseArgs } from 'node:util';
import { issueDisplayToken, listDisplayTokens, revokeDisplayToken } from '../auth/display-tokens.ts';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/pool.ts';

const { values } = parseArgs({
  options: { name: { type: 'string' }, revoke: { type: 'string' }, list: { type: 'boolean', default: false } },
});
if (!values.name && !values.revoke && !values.list) {
  console.error('Usage: npm run display:token -- --name "Wall 1" | --revoke ID | --list');
  process.exit(2);
}
const config = loadConfig();
const db = await openDatabase(config);
try {
  await migrate(db.pool);
  if (values.list)
    for (const t of await listDisplayTokens(db.pool))
      console.log(`${t.id}\t${t.name}\t${t.revoked_at ? 'revoked' : 'active'}\tlast used ${t.last_used_at?.toISOString() ?? 'never'}`);
  if (values.revoke)
    console.log(
      (await revokeDisplayToken(db.pool, Number(values.revoke))) ? `Token ${values.revoke} revoked.` : `No token ${values.revoke}.`,
    );
  if (values.name) {
    const { id, token } = await issueDisplayToken(db.pool, values.name, null);
    console.log(`Display token ${id} issued. Open on the wall (shown once):\n  http://${config.HOST}:${config.PORT}/wall?token=${token}`);
  }
} catch (err) {
  console.error(`Failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
