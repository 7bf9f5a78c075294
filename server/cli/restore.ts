/**
 * npm run restore -- --from backups/jardem-....tar.gz
 * Unpacks a backup of the embedded database into JARDEM_DATA_DIR, which must be new or empty
 * (move the old folder aside first), and opens it to count the appeals.
 */
import { parseArgs } from 'node:util';
import { restoreFolder } from '../backup/embedded.ts';
import { loadConfig } from '../config.ts';

const { values } = parseArgs({ options: { from: { type: 'string' } } });
if (!values.from) {
  console.error('Usage: npm run restore -- --from backups/jardem-....tar.gz   (into JARDEM_DATA_DIR, new or empty)');
  process.exit(2);
}
const config = loadConfig();
try {
  const seen = await restoreFolder(values.from, config.JARDEM_DATA_DIR);
  console.log(`Restored ${values.from} into ${config.JARDEM_DATA_DIR}: ${seen.incidents} appeals, last ${seen.maxNumber ?? 'none'}`);
} catch (err) {
  console.error(`Restore failed: ${(err as Error).message}`);
  process.exit(1);
}
