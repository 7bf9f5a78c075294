// `npm start` runs the server under this small supervisor: if the server process dies (a heap
// limit, a crash), it is started again after a back-off that doubles from 1 s to 30 s and
// returns to 1 s once a run has stayed up for a minute. SIGTERM and SIGINT are passed to the
// server, which finishes its requests and exits; the supervisor then exits with its code. A
// configuration error (exit code 78, EX_CONFIG) is not retried: the same settings would fail
// again. In production a service manager (systemd, see docs/operations.md) watches this process.
//
//   node scripts/supervise.mjs                  the server (node --max-old-space-size=192 --import tsx server/main.ts)
//   node scripts/supervise.mjs -- <cmd> [args]  any command (the tests use a tiny script)
//
// Tuning, for tests: JARDEM_SUPERVISE_MIN_MS (1000), JARDEM_SUPERVISE_MAX_MS (30000),
// JARDEM_SUPERVISE_HEALTHY_MS (60000).
import { spawn } from 'node:child_process';

/** Exit code of a configuration error (sysexits.h EX_CONFIG); server/main.ts uses it. */
export const EXIT_CONFIG = 78;

const ms = (name, dflt) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 ? v : dflt;
};
const MIN_MS = ms('JARDEM_SUPERVISE_MIN_MS', 1000);
const MAX_MS = ms('JARDEM_SUPERVISE_MAX_MS', 30_000);
const HEALTHY_MS = ms('JARDEM_SUPERVISE_HEALTHY_MS', 60_000);

const dash = process.argv.indexOf('--');
const [command, ...args] =
  dash >= 0
    ? process.argv.slice(dash + 1)
    : [process.execPath, '--max-old-space-size=192', '--import', 'tsx', 'server/main.ts'];
if (!command) {
  console.error('supervise: no command after --');
  process.exit(2);
}

/** One JSON line on stderr, in the shape of the server's own log (pino). */
function say(level, msg, fields = {}) {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), app: 'jardem-supervisor', msg, ...fields })}\n`);
}

let child = null;
let stopping = null; // the signal we were asked to stop with
let delay = MIN_MS;
let waiting = null; // the back-off timer

function start() {
  const startedAt = Date.now();
  child = spawn(command, args, { stdio: 'inherit' });
  say(30, 'server started', { pid: child.pid });
  child.on('error', (err) => say(50, 'server could not be started', { err: err.message }));
  child.on('exit', (code, signal) => {
    child = null;
    if (stopping) {
      say(30, 'server stopped', { code, signal });
      process.exit(code ?? 0);
    }
    if (code === EXIT_CONFIG) {
      say(60, 'configuration error: not restarting; fix the settings named above', { code });
      process.exit(EXIT_CONFIG);
    }
    // A run that stayed up for a while was healthy: the next failure starts the back-off afresh.
    if (Date.now() - startedAt >= HEALTHY_MS) delay = MIN_MS;
    say(50, 'server exited; restarting', { code, signal, restartInMs: delay });
    waiting = setTimeout(() => {
      waiting = null;
      start();
    }, delay);
    delay = Math.min(MAX_MS, Math.max(delay * 2, 1));
  });
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = signal;
    if (waiting) {
      clearTimeout(waiting);
      say(30, 'stopped while waiting to restart', { signal });
      process.exit(0);
    }
    child?.kill(signal);
  });
}

start();
