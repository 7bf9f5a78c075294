import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';

/**
 * Backups restore every appeal: PostgreSQL through pg_dump -Fc / pg_restore into a fresh
 * database (api-postgres project only; backup.pglite.test.ts covers the embedded folder).
 */
const work = mkdtempSync(join(tmpdir(), 'jardem-backup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Count and a digest of every appeal's number, status and version. */
const APPEALS = `SELECT count(*)::int AS n, md5(string_agg(number || ':' || status || ':' || version, ',' ORDER BY number)) AS digest FROM incidents`;

describe('pg_dump and pg_restore of PostgreSQL', () => {
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
