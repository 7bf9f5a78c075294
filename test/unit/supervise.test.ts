import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * scripts/supervise.mjs, which `npm start` runs: it restarts a server that died, with a
 * doubling back-off, does not restart a configuration error (exit 78), and passes SIGTERM on.
 * Driven on tiny scripts that stand in for the server; the back-off is scaled down through its
 * settings (100 ms → 400 ms instead of 1 s → 30 s).
 */
const dir = mkdtempSync(join(tmpdir(), 'jardem-supervise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SUPERVISOR = 'scripts/supervise.mjs';

interface Run {
  code: number | null;
  lines: Record<string, unknown>[];
  ms: number;
}

/** Runs the supervisor on a script; `whileRunning` may signal it. */
function supervise(script: string, env: Record<string, string>, whileRunning?: (pid: number) => void): Promise<Run> {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const t0 = Date.now();
  const child = spawn(process.execPath, [SUPERVISOR, '--', process.execPath, file], {
    env: { ...process.env, JARDEM_SUPERVISE_MIN_MS: '100', JARDEM_SUPERVISE_MAX_MS: '400', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.resume();
  whileRunning?.(child.pid!);
  return new Promise((resolve) => {
    child.on('exit', (code) =>
      resolve({
        code,
        ms: Date.now() - t0,
        lines: err
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

describe('the supervisor (scripts/supervise.mjs)', () => {
  it('restarts a server that dies, with a doubling back-off capped at the maximum', async () => {
    // Dies at once the first five times, then runs and exits cleanly on SIGTERM.
    const counter = join(dir, 'count');
    writeFileSync(counter, '0');
    const script = `
      import { readFileSync, writeFileSync } from 'node:fs';
      const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
      writeFileSync(${JSON.stringify(counter)}, String(n));
      if (n <= 5) process.exit(1);
      process.on('SIGTERM', () => process.exit(0));
      setInterval(() => {}, 1000);
    `;
    const run = await supervise(script, {}, (pid) => {
      const poll = setInterval(() => {
        if (readFileSync(counter, 'utf8') === '6') {
          clearInterval(poll);
          setTimeout(() => process.kill(pid, 'SIGTERM'), 200);
        }
      }, 20);
    });
    const restarts = run.lines.filter((l) => l.msg === 'server exited; restarting');
    expect(restarts.map((l) => l.restartInMs)).toEqual([100, 200, 400, 400, 400]);
    expect(run.lines.filter((l) => l.msg === 'server started')).toHaveLength(6);
    // The waits really happened: 1.5 s of back-off at least.
    expect(run.ms).toBeGreaterThanOrEqual(1500);
    // SIGTERM reached the server, which exited 0; so did the supervisor.
    expect(run.lines.at(-1)).toMatchObject({ msg: 'server stopped', code: 0 });
    expect(run.code).toBe(0);
  }, 20_000);

  it('starts the back-off afresh after a run that stayed up long enough', async () => {
    const counter = join(dir, 'count2');
    writeFileSync(counter, '0');
    // Runs 1–2 die at once, run 3 lives 2 s (healthy from 1.5 s on), run 4 dies, run 5 stays.
    const script = `
      import { readFileSync, writeFileSync } from 'node:fs';
      const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
      writeFileSync(${JSON.stringify(counter)}, String(n));
      if (n === 3) setTimeout(() => process.exit(3), 2000);
      else if (n < 5) process.exit(1);
      else setTimeout(() => process.exit(0), 50000);
      process.on('SIGTERM', () => process.exit(0));
    `;
    const run = await supervise(script, { JARDEM_SUPERVISE_HEALTHY_MS: '1500' }, (pid) => {
      const poll = setInterval(() => {
        if (readFileSync(counter, 'utf8') === '5') {
          clearInterval(poll);
          setTimeout(() => process.kill(pid, 'SIGTERM'), 100);
        }
      }, 20);
    });
    const restarts = run.lines.filter((l) => l.msg === 'server exited; restarting');
    expect(restarts.map((l) => [l.code, l.restartInMs])).toEqual([
      [1, 100],
      [1, 200],
      [3, 100],
      [1, 200],
    ]);
    expect(run.code).toBe(0);
  }, 20_000);

  it('does not restart a configuration error (exit 78) and exits with it', async () => {
    const run = await supervise(`console.error('JARDEM_X: wrong'); process.exit(78);`, {});
    expect(run.code).toBe(78);
    expect(run.lines.filter((l) => l.msg === 'server started')).toHaveLength(1);
    expect(run.lines.some((l) => l.msg === 'server exited; restarting')).toBe(false);
  });

  it('is what npm start runs, and the server exits 78 on a wrong setting', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/node scripts\/supervise\.mjs/);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, JARDEM_RATE_LIMIT: 'many', LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
  }, 20_000);
});
