import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EmbeddedDatabase {
  /** postgres:// URL of the loopback socket. */
  url: string;
  stop(): Promise<void>;
}

const serverFile = fileURLToPath(new URL('./embedded-server.ts', import.meta.url));

/**
 * Starts PGlite + PostGIS in a child process on a loopback port, persisted in `dataDir`.
 * First boot of an empty folder takes ~15 s (PostGIS installs itself), later boots ~5 s.
 */
export function startEmbeddedDatabase(dataDir: string, timeoutMs = 120_000): Promise<EmbeddedDatabase> {
  const child: ChildProcess = fork(serverFile, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, JARDEM_EMBEDDED_DIR: resolve(dataDir) },
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
      done({
        url: `postgres://postgres:postgres@127.0.0.1:${m.port}/postgres`,
        stop: () =>
          new Promise<void>((stopped) => {
            if (child.exitCode !== null) return stopped();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              stopped();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
