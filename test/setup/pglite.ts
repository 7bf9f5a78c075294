import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase } from '../../server/db/embedded.ts';
import { createPool } from '../../server/db/pool.ts';
import { prepareTestDatabase } from './database.ts';

/** A fresh embedded database in a temporary folder, prepared once for all API test files. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'jardem-test-'));
  const db = await startEmbeddedDatabase(dir);
  const pool = createPool(db.url, 4);
  await prepareTestDatabase(pool);
  await pool.end();
  project.provide('databaseUrl', db.url);
  project.provide('engine', 'pglite');
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
