// `npm start` runs this first: builds the client when dist/client is missing or older than
// anything in client/ (or the Vite config), so a fresh clone starts with one command.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const built = 'dist/client/index.html';
const portal = 'dist/client/public.html';
const field = 'dist/client/field.html';

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const stale = !existsSync(built) || !existsSync(portal) || !existsSync(field) || Math.max(newest('client'), newest('vite.config.ts'), newest('package-lock.json')) > statSync(built).mtimeMs;
if (stale) {
  console.log('Building the client (vite build)...');
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
