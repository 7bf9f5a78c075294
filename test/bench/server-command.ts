import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * How the benchmarks start the server: as `npm start` does, with the same heap bound (see
 * package.json and docs/performance.md), in its own process.
 */
export const SERVER_ARGS = ['--max-old-space-size=192', '--import', 'tsx', 'server/main.ts'];

/**
 * The arguments of the last `node …` command of package.json's `start` script: what `npm start`
 * runs, a supervisor included once it has one. `bench:mixed` uses it (its watch follows a
 * supervisor's workers); the benches that read one process's memory keep SERVER_ARGS.
 */
export function npmStartArgs(): string[] {
  const start: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts.start;
  const words = start.split('&&').at(-1)!.trim().split(/\s+/);
  if (words[0] !== 'node' || words.length < 2) throw new Error(`cannot read the server command from the start script: ${start}`);
  return words.slice(1);
}

/**
 * The server on `url` at `port` as the load benchmarks run it: SERVER_ARGS, the demo pack without
 * generated appeals (the database holds its own), and no per-client request limit (the benchmark
 * is one client address by design).
 */
export function spawnBenchServer(url: string, port: number): ChildProcess {
  return spawn(process.execPath, SERVER_ARGS, {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      JARDEM_DEMO: 'true',
      JARDEM_DEMO_COUNT: '0',
      JARDEM_RATE_LIMIT: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
