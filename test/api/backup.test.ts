import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { prepareDatabase } from '../../server/boot.ts';
import { startEmbeddedDatabase } from '../../server/db/embedded.ts';
import { createPool } from '../../server/db/pool.ts';

/**
 * Backups restore every appeal: the embedded folder through `npm run backup` / `npm run
 * restore` (api-pglite project), and PostgreSQL through pg_dump -Fc / pg_restore into a fresh
 * database (api-postgres project).
 */
const engine = inject('engine');
const work = mkdtempSync(join(tmpdir(), 'jardem-backup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Count and a digest of every appeal's number, status and version. */
const APPEALS = `SELECT count(*)::int AS n, md5(string_agg(number || ':' || status || ':' || version, ',' ORDER BY number)) AS digest FROM incidents`;

const cli = (script: string, args: string[], dataDir: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, JARDEM_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });

describe.runIf(engine === 'pglite')('backup and restore of the embedded data folder', () => {
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

describe.runIf(engine === 'postgres')('pg_dump and pg_restore of PostgreSQL', () => {
  it('restores a dump into a fresh database with every appeal', { timeout: 300_000 }, async () => {
    const url = inject('databaseUrl');
    const name = `jardem_restore_${process.pid}`;
    const admin = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
    const target = Object.assign(new URL(url), { pathname: `/${name}` }).toString();
    const query = async (u: string, text: string) => {
      const c = new pg.Client({ connectionString: u });
      await c.connect();
      try {
        return (await c.query(text)).rows;
      } finally {
        await c.end();
      }
    };
    const dump = join(work, 'jardem.dump');
    const [before] = await query(url, APPEALS);
    expect(before.n).toBeGreaterThan(0);
    execFileSync('pg_dump', ['-Fc', '-d', url, '-f', dump]);
    await query(admin, `DROP DATABASE IF EXISTS ${name}`);
    await query(admin, `CREATE DATABASE ${name}`);
    try {
      execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '-d', target, dump]);
      expect((await query(target, APPEALS))[0]).toEqual(before);
      // The restored database takes new appeals after the old ones (sequences came along).
      const [seq] = await query(target, `SELECT (SELECT last_value FROM incidents_id_seq) >= (SELECT max(id) FROM incidents) AS ok`);
      expect(seq.ok).toBe(true);
    } finally {
      await query(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});
