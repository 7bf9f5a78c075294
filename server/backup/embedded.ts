import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startEmbeddedDatabase } from '../db/embedded.ts';
import { createPool } from '../db/pool.ts';

/**
 * Backup and restore of the embedded database's data folder (JARDEM_DATA_DIR).
 *
 * Semantics: stop-then-copy. PGlite keeps its files consistent only while one process owns the
 * folder and after it has closed cleanly, and there is no pg_dump for it here (the PostgreSQL 15
 * client tools refuse its version 18). So a backup refuses while any Jardem process serves the
 * folder; it then opens the folder once (which completes any recovery and proves it opens),
 * counts the appeals, closes it cleanly and archives the folder with tar. A restore unpacks an
 * archive into an empty (or new) folder and opens it to count the appeals again.
 */

/** Processes (ours or others') whose embedded database serves `dir`, found by their environment. */
export function processesUsing(dir: string): number[] {
  const want = `JARDEM_EMBEDDED_DIR=${resolve(dir)}`;
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(want)) pids.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Opens the folder, counts appeals (and returns their numbers' digest), closes it cleanly. */
export async function inspectFolder(dir: string): Promise<{ incidents: number; maxNumber: string | null }> {
  const db = await startEmbeddedDatabase(dir);
  const pool = createPool(db.url, 1);
  try {
    const { rows } = await pool.query(`SELECT count(*)::int AS n, max(number) AS max FROM incidents`);
    await pool.query('CHECKPOINT');
    return { incidents: rows[0].n, maxNumber: rows[0].max };
  } finally {
    await pool.end();
    await db.stop();
  }
}

export async function backupFolder(dir: string, archive: string) {
  if (!existsSync(resolve(dir, 'PG_VERSION')) && !existsSync(resolve(dir, 'base')))
    throw new Error(`${dir} is not an embedded Jardem database folder`);
  const users = processesUsing(dir);
  if (users.length) throw new Error(`${dir} is in use by process ${users.join(', ')}: stop the server first (npm start holds the folder)`);
  const seen = await inspectFolder(dir);
  mkdirSync(dirname(resolve(archive)), { recursive: true });
  execFileSync('tar', ['-czf', resolve(archive), '-C', resolve(dir), '.']);
  return seen;
}

export async function restoreFolder(archive: string, dir: string) {
  if (!existsSync(archive)) throw new Error(`No archive at ${archive}`);
  if (existsSync(dir) && readdirSync(dir).length) throw new Error(`${dir} is not empty: restore into a new or empty folder`);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', resolve(archive), '-C', resolve(dir)]);
  return inspectFolder(dir);
}
