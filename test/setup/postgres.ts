import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createPool } from '../../server/db/pool.ts';
import { prepareTestDatabase } from './database.ts';

/**
 * A fresh database on the PostgreSQL server at TEST_DATABASE_URL (any database there, used
 * only to create and finally drop `jardem_test_<pid>`).
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `jardem_test_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 4);
  await prepareTestDatabase(pool);
  await pool.end();
  project.provide('databaseUrl', url.toString());
  project.provide('engine', 'postgres');
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
}
