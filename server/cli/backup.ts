/**
 * npm run backup -- [--out backups/jardem-YYYY-MM-DD.tar.gz]
 * Archives the embedded database's folder (JARDEM_DATA_DIR) while no server uses it (stop the
 * server first: see docs/operations.md). With DATABASE_URL set, use pg_dump instead.
 */
import { parseArgs } from 'node:util';
import { backupFolder } from '../backup/embedded.ts';
import { loadConfig } from '../config.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const config = loadConfig();
if (config.DATABASE_URL) {
  console.error('DATABASE_URL is set: back up PostgreSQL with pg_dump -Fc (docs/operations.md).');
  process.exit(2);
}
const out = values.out ?? `backups/jardem-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.tar.gz`;
try {
  const seen = await backupFolder(config.JARDEM_DATA_DIR, out);
  console.log(`Backed up ${config.JARDEM_DATA_DIR} (${seen.incidents} appeals, last ${seen.maxNumber ?? 'none'}) to ${out}`);
} catch (err) {
  console.error(`Backup failed: ${(err as Error).message}`);
  process.exit(1);
}
