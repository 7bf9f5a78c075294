import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildClientIfNeeded, freePort, startServer } from '../helpers/server.ts';

/**
 * The whole product as a user starts it (`npm start`'s server on the embedded default with
 * demo data), for the browser tests.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'jardem-e2e-'));
  await buildClientIfNeeded();
  // The fake online base map of test/e2e/map.test.ts is a configured tile host, as a real one would be.
  const server = await startServer({ port: await freePort(), dataDir: dir, env: { JARDEM_TILE_ORIGINS: 'http://basemap.invalid' } });
  project.provide('baseUrl', server.baseUrl);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
