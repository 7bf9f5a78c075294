import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root: two folders above this file. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The folder a clone was made from, when it is a folder on this machine (a clean clone made
 * for CI or by a newcomer sits elsewhere, while the shared data lies beside the original).
 */
function originFolder(): string | null {
  try {
    const url = execFileSync('git', ['-C', root, 'remote', 'get-url', 'origin'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const path = (url.startsWith('file://') ? fileURLToPath(url) : url).replace(/\/\.git\/?$/, '');
    return isAbsolute(path) && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * A file of the shared test data (real boundaries, Open311 schemas...), which is never copied
 * into the project: JARDEM_SHARED_DATA if set, else `../shared/data` beside the project, else
 * `../shared/data` beside the repository this clone was made from.
 */
export function sharedData(file: string): string {
  const origin = originFolder();
  const dirs = [process.env.JARDEM_SHARED_DATA, join(root, '../shared/data'), origin && join(origin, '../shared/data')].filter(
    (d): d is string => Boolean(d),
  );
  for (const dir of dirs) if (existsSync(join(dir, file))) return join(dir, file);
  throw new Error(`Shared test data "${file}" not found in ${dirs.join(', ')}: set JARDEM_SHARED_DATA to the shared data folder.`);
}
