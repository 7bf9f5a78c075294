import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from '../log.ts';

export interface EmbeddedDatabase {
  /** postgres:// URL of the loopback socket. */
  url: string;
  /** The process id of the engine now (it changes when the engine is restarted). */
  readonly pid: number | undefined;
  /** How many times the engine was restarted after it died. */
  readonly restarts: number;
  stop(): Promise<void>;
}

const serverFile = fileURLToPath(new URL('./embedded-server.ts', import.meta.url));

// Restart back-off after the engine dies: at once, then doubling up to 5 s while it keeps dying.
const RESTART_FIRST_MS = 100;
const RESTART_MAX_MS = 5000;
// An engine that ran this long before dying was healthy: its next restart starts at once again.
const HEALTHY_AFTER_MS = 30_000;

/** Forks the engine on `port` (0: any free one) and resolves with the port once it is ready. */
function spawnEngine(dataDir: string, port: number, timeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child: ChildProcess = fork(serverFile, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, JARDEM_EMBEDDED_DIR: resolve(dataDir), JARDEM_EMBEDDED_PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`The embedded database did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`The embedded database exited during start-up (code ${code}); is ${dataDir} in use by another Jardem?`));
    });
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m?.type !== 'ready' || !m.port) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      done({ child, port: m.port });
    });
  });
}

/**
 * Starts PGlite + PostGIS in a child process on a loopback port, persisted in `dataDir`.
 * First boot of an empty folder takes ~15 s (PostGIS installs itself), later boots ~5 s.
 * If the engine dies (killed, out of memory), it is started again on the same port and folder,
 * so the pool's URL stays valid: requests answer 503 meanwhile and succeed again once it is up.
 */
export async function startEmbeddedDatabase(dataDir: string, timeoutMs = 120_000): Promise<EmbeddedDatabase> {
  const first = await spawnEngine(dataDir, 0, timeoutMs);
  const port = first.port;
  let child: ChildProcess = first.child;
  let stopping = false;
  let restarts = 0;
  let delay = RESTART_FIRST_MS;
  let startedAt = Date.now();

  const watch = (c: ChildProcess) => {
    c.once('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt > HEALTHY_AFTER_MS) delay = RESTART_FIRST_MS;
      log.error({ code, signal, restartInMs: delay }, 'the embedded database stopped; restarting it');
      const wait = delay;
      delay = Math.min(delay * 2, RESTART_MAX_MS);
      setTimeout(() => void restart(), wait).unref();
    });
  };
  const restart = async () => {
    if (stopping) return;
    const t0 = Date.now();
    try {
      const next = await spawnEngine(dataDir, port, timeoutMs);
      if (stopping) {
        next.child.kill('SIGTERM');
        return;
      }
      child = next.child;
      restarts++;
      startedAt = Date.now();
      log.warn({ ms: startedAt - t0, restarts }, 'the embedded database is back');
      watch(child);
    } catch (err) {
      if (stopping) return;
      log.error({ err: (err as Error).message, retryInMs: delay }, 'restarting the embedded database failed');
      const wait = delay;
      delay = Math.min(delay * 2, RESTART_MAX_MS);
      setTimeout(() => void restart(), wait).unref();
    }
  };
  watch(child);

  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    get pid() {
      return child.pid;
    },
    get restarts() {
      return restarts;
    },
    stop: () =>
      new Promise<void>((stopped) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return stopped();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          stopped();
        });
        child.kill('SIGTERM');
      }),
  };
}
