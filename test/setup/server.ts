import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

/**
 * The whole product as a user starts it (`npm start`'s server on the embedded default with
 * demo data, or on TEST_DATABASE_URL's server when E2E_DATABASE_URL is set), for the browser tests.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'jardem-e2e-'));
  const port = await freePort();
  await new Promise<void>((done, fail) => {
    const b = spawn(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });
    b.on('exit', (code) => (code === 0 ? done() : fail(new Error('client build failed'))));
  });
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: String(port), JARDEM_DATA_DIR: dir, DATABASE_URL: '', JARDEM_DEMO_COUNT: '3000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() - t0 > 200_000) throw new Error('server did not become healthy in 200 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  project.provide('baseUrl', baseUrl);
  return async () => {
    await new Promise<void>((done) => {
      server.once('exit', () => done());
      server.kill('SIGTERM');
      setTimeout(() => server.kill('SIGKILL'), 10_000).unref();
    });
    rmSync(dir, { recursive: true, force: true });
  };
}
