/**
 * Writes /api/openapi.json, as the app serves it, to the file named on the command line (for
 * `npm run lint:openapi`). Needs no database: the description is built from the mounted routes.
 */
import { writeFileSync } from 'node:fs';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createPool } from '../server/db/pool.ts';

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error('usage: tsx scripts/openapi-doc.ts <file.json>');
  // A pool that is never used: building the description reads no data.
  const pool = createPool('postgres://nobody@127.0.0.1:1/none', 1);
  const app = createApp({ pool, engine: 'postgres', config: loadConfig({ JARDEM_DEMO: 'false', LOG_LEVEL: 'silent' }) });
  const res = await app.request('/api/openapi.json');
  if (res.status !== 200) throw new Error(`/api/openapi.json answered ${res.status}`);
  writeFileSync(out, JSON.stringify(await res.json(), null, 2));
  await pool.end();
  process.exit(0);
}
void main();
