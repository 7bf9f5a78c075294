import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on the loopback interface. */
export const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

/** Builds the client if it is missing or older than its sources (what `npm start` does first). */
export function buildClientIfNeeded(): Promise<void> {
  return new Promise<void>((done, fail) => {
    const b = spawn(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });
    b.on('exit', (code) => (code === 0 ? done() : fail(new Error('client build failed'))));
  });
}

export interface ServerOptions {
  port: number;
  /** folder of the embedded database (kept across restarts on the same folder) */
  dataDir: string;
  /** demo appeals generated on first start */
  demoCount?: number;
  /** more environment variables */
  env?: Record<string, string>;
  /** how long to wait for /api/health (ms) */
  timeoutMs?: number;
}

export interface RunningServer {
  baseUrl: string;
  process: ChildProcess;
  /** SIGTERM (a graceful shutdown), SIGKILL after 10 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

/**
 * The real server as `npm start` runs it (`node --import tsx server/main.ts`) on the embedded
 * database in `dataDir`, resolved once /api/health answers.
 */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(o.port),
      JARDEM_DATA_DIR: o.dataDir,
      DATABASE_URL: '',
      JARDEM_DEMO_COUNT: String(o.demoCount ?? 3000),
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${o.port}`;
  const t0 = Date.now();
  const timeout = o.timeoutMs ?? 200_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() - t0 > timeout) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy in ${timeout / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseUrl,
    process: child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
