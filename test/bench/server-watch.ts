/**
 * Watches the server from outside, as an operator's monitoring would: the process the bench
 * started and every Node process below it (a supervisor's worker, when there is one), sampled
 * from /proc every `intervalMs` (Linux only).
 *
 * - RSS: each Node process's VmRSS; the peak of the largest single process (the server's heap
 *   lives there) and the peak of the whole tree;
 * - exits: a Node process that was seen and is gone before `stop()` (a crash, or a restart by a
 *   supervisor), and the started process's own exit with its code or signal.
 *
 * Call `stop()` before shutting the server down on purpose, so that the shutdown is not counted.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ServerExit {
  /** seconds since the watch began */
  s: number;
  pid: number;
  /** how it ended, when known (the started process only) */
  how: string;
}

export interface WatchReport {
  samples: { s: number; processMiB: number; treeMiB: number; pids: number[] }[];
  /** peak RSS of one Node process of the tree, MiB */
  peakProcessMiB: number;
  /** peak RSS of all Node processes of the tree together, MiB */
  peakTreeMiB: number;
  exits: ServerExit[];
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** The root and its descendants that are Node processes, with their RSS in MiB. */
function nodeTree(root: number): Map<number, number> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(Number(name), 'stat');
    if (!stat) continue;
    // pid (comm) state ppid …; comm may contain spaces and parentheses
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out = new Map<number, number>();
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    todo.push(...(children.get(pid) ?? []));
    const status = readProc(pid, 'status');
    if (!status || !/^Name:\s+(node|MainThread)\b/m.test(status)) continue; // e.g. esbuild's service
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    if (rss) out.set(pid, Number(rss[1]) / 1024);
  }
  return out;
}

export function watchServer(child: ChildProcess, intervalMs = 1000) {
  const t0 = Date.now();
  const seconds = () => Math.round((Date.now() - t0) / 100) / 10;
  const report: WatchReport = { samples: [], peakProcessMiB: 0, peakTreeMiB: 0, exits: [] };
  const seen = new Set<number>();
  let stopped = false;

  const sample = () => {
    const tree = child.pid && child.exitCode === null && child.signalCode === null ? nodeTree(child.pid) : new Map<number, number>();
    for (const pid of seen) {
      if (!tree.has(pid) && pid !== child.pid) {
        seen.delete(pid);
        report.exits.push({ s: seconds(), pid, how: 'gone' });
      }
    }
    for (const pid of tree.keys()) seen.add(pid);
    const rss = [...tree.values()];
    const processMiB = rss.length ? Math.max(...rss) : 0;
    const treeMiB = rss.reduce((a, b) => a + b, 0);
    report.samples.push({ s: seconds(), processMiB, treeMiB, pids: [...tree.keys()] });
    report.peakProcessMiB = Math.max(report.peakProcessMiB, processMiB);
    report.peakTreeMiB = Math.max(report.peakTreeMiB, treeMiB);
  };
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    if (stopped) return;
    seen.delete(child.pid!);
    report.exits.push({ s: seconds(), pid: child.pid!, how: signal ? `signal ${signal}` : `exit code ${code}` });
  };
  child.on('exit', onExit);
  sample();
  const timer = setInterval(sample, intervalMs);

  return {
    report,
    /** Whether the started process is still running. */
    alive: () => child.exitCode === null && child.signalCode === null,
    /** Ends the watch (before a deliberate shutdown) and returns what it saw. */
    stop(): WatchReport {
      if (!stopped) {
        sample();
        stopped = true;
        clearInterval(timer);
        child.off('exit', onExit);
      }
      return report;
    },
  };
}
