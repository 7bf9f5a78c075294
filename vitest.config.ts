import { defineConfig } from 'vitest/config';

/**
 * Test projects:
 * - unit: pure functions, no database;
 * - api-pglite: the API against the embedded PGlite + PostGIS (always);
 * - api-postgres: the same API tests against a real PostgreSQL + PostGIS (when TEST_DATABASE_URL is set);
 * - deploy: the city deployment on one machine (a primary and a streaming replica of its own on two
 *   ports, two server instances, HAProxy), with PostgreSQL's programs, PostGIS and HAProxy installed
 *   (when TEST_DATABASE_URL is set, as in CI; it never uses that database);
 * - e2e: the built client in Debian's Chromium against a running server (when /usr/bin/chromium exists;
 *   scripts/test.mjs says so plainly when it does not, and CI always installs it).
 */
// `*.pglite.test.ts` and `*.postgres.test.ts` are about one engine's own parts (the embedded
// folder's backup; pg_dump, a PostgreSQL stopped under the server) and run only in its project.
const apiProject = (name: string, setup: string, otherEngine: string) => ({
  test: {
    name,
    include: ['test/api/**/*.test.ts'],
    exclude: [`test/api/**/*.${otherEngine}.test.ts`],
    globalSetup: [setup],
    // The files share one database and compare API answers with SQL counts: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});

const projects = [
  { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
  apiProject('api-pglite', 'test/setup/pglite.ts', 'postgres'),
  ...(process.env.TEST_DATABASE_URL ? [apiProject('api-postgres', 'test/setup/postgres.ts', 'pglite')] : []),
  ...(process.env.TEST_DATABASE_URL
    ? [
        {
          test: {
            name: 'deploy',
            include: ['test/deploy/**/*.test.ts'],
            testTimeout: 60_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
      ]
    : []),
  ...(process.env.JARDEM_E2E !== '0'
    ? [
        {
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.ts'],
            globalSetup: ['test/setup/server.ts'],
            testTimeout: 60_000,
            hookTimeout: 240_000,
            fileParallelism: false,
          },
        },
      ]
    : []),
];

export default defineConfig({ test: { projects } });
