import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A file of the shared test data (real boundaries, Open311 schemas...), which is never copied
 * into the project: JARDEM_SHARED_DATA if set, else ../shared/data beside the project (where CI
 * and the developers' machines keep it), else the workplace's /work/shared/data.
 */
export function sharedData(file: string): string {
  const dirs = [process.env.JARDEM_SHARED_DATA, resolve('../shared/data'), '/work/shared/data'].filter((d): d is string => Boolean(d));
  for (const dir of dirs) if (existsSync(join(dir, file))) return join(dir, file);
  throw new Error(`Shared test data "${file}" not found in ${dirs.join(', ')}: set JARDEM_SHARED_DATA to the shared data folder.`);
}
