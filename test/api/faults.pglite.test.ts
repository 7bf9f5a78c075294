import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/users.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';

/**
 * The embedded engine runs in a child process of the server. When that process dies (killed,
 * out of memory), the server keeps running, answers 503 database_unavailable meanwhile, starts
 * the engine again on the same folder and port, and answers again without a restart of its own.
 * Runs in the api-pglite project only.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process id of the server's embedded engine (its child running embedded-server.ts). */
function enginePid(server: RunningServer): number | undefined {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(server.process.pid)], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.includes('embedded-server.ts'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

describe('the embedded engine dies under the running API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jardem-faults-'));
  let server: RunningServer;
  let cookie: string;
  let csrfToken: string;

  beforeAll(async () => {
    server = await startServer({ port: await freePort(), dataDir: dir, demoCount: 50, timeoutMs: 180_000 });
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'dispatcher', password: DEMO_PASSWORD }),
    });
    cookie = login.headers.get('set-cookie')!.split(';')[0];
    csrfToken = ((await login.json()) as { csrfToken: string }).csrfToken;
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while the engine is down and recovers by itself, with nothing lost', { timeout: 120_000 }, async () => {
    const before = await fetch(`${server.baseUrl}/api/incidents?limit=1`, { headers: { cookie } }).then((r) => r.json());
    const total = before.numberMatched as number;
    const point = before.features[0].geometry.coordinates as [number, number];
    const first = enginePid(server);
    expect(first).toBeGreaterThan(0);

    process.kill(first!, 'SIGKILL');
    const killedAt = Date.now();
    // While it is down: 503 with Retry-After, never a 500, and the server itself stays up.
    let saw503 = false;
    let recoveredAt = 0;
    while (Date.now() - killedAt < 60_000) {
      const res = await fetch(`${server.baseUrl}/api/incidents?limit=1`, { headers: { cookie } });
      const body = await res.json();
      expect(server.process.exitCode).toBeNull();
      if (res.status === 200) {
        recoveredAt = Date.now();
        expect(body.numberMatched).toBe(total);
        break;
      }
      expect(res.status, JSON.stringify(body)).toBe(503);
      expect(body.error.code).toBe('database_unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
      saw503 = true;
      await sleep(100);
    }
    expect(saw503).toBe(true);
    expect(recoveredAt, 'the API answered again within 60 s').toBeGreaterThan(0);
    console.log(`faults.pglite: the API answered again ${recoveredAt - killedAt} ms after the engine was killed`);
    const second = enginePid(server);
    expect(second).toBeGreaterThan(0);
    expect(second).not.toBe(first);

    // Writes work again, and the session of before is still valid (it is stored in the folder).
    const created = await fetch(`${server.baseUrl}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({
        type: 'complaint',
        category: 'roads.pothole',
        channel: 'phone',
        description: 'after the engine came back',
        location: { type: 'Point', coordinates: point },
      }),
    });
    expect(created.status).toBe(201);
  });
});
