import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import pg from 'pg';

/**
 * A throwaway PostgreSQL 15 cluster of its own (Debian's pg_createcluster, run as root), so that
 * a test can stop and start a real database without touching the machine's main cluster.
 * Local and loopback connections are trusted; the cluster is dropped by `drop()`.
 */
export interface Cluster {
  port: number;
  url(db: string): string;
  start(): void;
  /** Fast shutdown: sessions are ended, as in a restart or failover. */
  stop(): void;
  drop(): void;
}

export const canCreateCluster = () => process.getuid?.() === 0 && hasCommand('pg_createcluster');

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function createCluster(name: string, port: number): Cluster {
  const run = (...args: string[]) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  run('pg_createcluster', '15', name, '-p', String(port), '--start-conf=manual');
  writeFileSync(
    `/etc/postgresql/15/${name}/pg_hba.conf`,
    'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n',
  );
  const ctl = (action: string, ...more: string[]) => run('pg_ctlcluster', '--skip-systemctl-redirect', '15', name, action, ...more);
  return {
    port,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    start: () => ctl('start'),
    stop: () => ctl('stop', '-m', 'fast'),
    drop: () => run('pg_dropcluster', '15', name, '--stop'),
  };
}

/** Runs SQL on a database of the cluster with a client of its own. */
export async function sql(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}
