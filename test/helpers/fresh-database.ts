import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase } from '../../server/db/embedded.ts';

/**
 * An empty database of the engine under test, apart from the shared test database: a second
 * embedded PGlite in a temporary folder, or a new database on the TEST_DATABASE_URL server.
 * `drop()` removes it.
 */
export async function freshDatabase(engine: 'pglite' | 'postgres', name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), `jardem-${name}-`));
    const db = await startEmbeddedDatabase(dir);
    return {
      url: db.url,
      drop: async () => {
        await db.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const db = `jardem_${name}_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`DROP DATABASE IF EXISTS ${db}`);
  await admin(`CREATE DATABASE ${db}`);
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`) };
}
