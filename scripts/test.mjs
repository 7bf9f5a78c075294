// `npm test`: runs every vitest project. The API tests always run on the embedded PGlite and,
// when TEST_DATABASE_URL is set, on that PostgreSQL + PostGIS too. The browser tests need
// Debian's Chromium at /usr/bin/chromium (CI installs it); without it they are left out, loudly.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

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
// A full run (no arguments) starts the hostile tests' records afresh (test/helpers/probes.ts)
// and, when they wrote any, rewrites the probes table in docs/security.md from them.
const full = process.argv.length <= 2;
if (full) rmSync('test/.probes', { recursive: true, force: true });
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env });
if (full && existsSync('test/.probes')) spawnSync(process.execPath, ['--import', 'tsx', 'scripts/docs-probes.ts'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
