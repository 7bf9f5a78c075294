import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../server/boot.ts';
import { startEmbeddedDatabase } from '../../server/db/embedded.ts';
import { createPool } from '../../server/db/pool.ts';

/**
 * Backups restore every appeal: the embedded folder through `npm run backup` / `npm run
 * restore` (api-pglite project only; backup.postgres.test.ts covers pg_dump).
 */
const work = mkdtempSync(join(tmpdir(), 'jardem-backup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Count and a digest of every appeal's number, status and version. */
const APPEALS = `SELECT count(*)::int AS n, md5(string_agg(number || ':' || status || ':' || version, ',' ORDER BY number)) AS digest FROM incidents`;

const cli = (script: string, args: string[], dataDir: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, JARDEM_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });

describe('backup and restore of the embedded data folder', () => {
  it('refuses while the folder is served, then archives it and restores every appeal', { timeout: 600_000 }, async () => {
    const dir = join(work, 'data');
    const db = await startEmbeddedDatabase(dir);
    const pool = createPool(db.url, 2);
    let before: { n: number; digest: string };
    try {
      await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: 300, seed: 5 });
      before = (await pool.query(APPEALS)).rows[0];
      expect(before.n).toBe(300);
      // While a database process holds the folder, copying it would not be consistent.
      const busy = cli('server/cli/backup.ts', ['--out', join(work, 'busy.tar.gz')], dir);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toMatch(/in use by process .*stop the server first/);
    } finally {
      await pool.end();
      await db.stop();
    }

    const archive = join(work, 'jardem.tar.gz');
    const backup = cli('server/cli/backup.ts', ['--out', archive], dir);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/300 appeals/);

    const restored = join(work, 'restored');
    const restore = cli('server/cli/restore.ts', ['--from', archive], restored);
    expect(restore.status, restore.stderr).toBe(0);
    // Restoring over a folder that has data is refused.
    expect(cli('server/cli/restore.ts', ['--from', archive], restored).status).toBe(1);

    const db2 = await startEmbeddedDatabase(restored);
    const pool2 = createPool(db2.url, 1);
    try {
      expect((await pool2.query(APPEALS)).rows[0]).toEqual(before);
    } finally {
      await pool2.end();
      await db2.stop();
    }
  });
});
