// `npm test`: runs every vitest project. The API tests always run on the embedded PGlite and,
// when TEST_DATABASE_URL is set, on that PostgreSQL + PostGIS too. The browser tests need
// Debian's Chromium at /usr/bin/chromium (CI installs it); without it they are left out, loudly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.warn(`\n*** No Chromium at ${chromium}: the browser tests (test/e2e) are NOT run.`);
  console.warn('*** Install it with `apt-get install -y chromium` (CI does) to run them.\n');
  env.JARDEM_E2E = '0';
}
if (!env.TEST_DATABASE_URL) {
  console.log('API tests run on the embedded PGlite; set TEST_DATABASE_URL=postgres://... to run them on PostgreSQL + PostGIS as well.');
}
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
