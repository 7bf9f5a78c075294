import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inject } from 'vitest';
import { PROBES_DIR } from './probes-doc.ts';

/**
 * What a hostile test tried and what it found, for the table in docs/security.md (issue 15):
 * one JSON line per probe in `test/.probes/<engine>/<test file>.jsonl` (not committed), rendered
 * by `npm run docs:probes` (test/helpers/probes-doc.ts), which `npm test` runs after a full run.
 *
 * - `file`: the test file (a path or its name);
 * - `probe`: what was tried, in a few words;
 * - `tried`: requests (or writes, imports) sent;
 * - `fiveXX`: answers of 500 and above among them;
 * - `leaks`: answers that showed what they must not (personal data, stacks, SQL text);
 * - `lost`: acknowledged appeals (or rows) missing or doubled afterwards.
 *
 * Record before asserting, so that a failing test still reports what it found. The first record
 * of a file in a test run replaces that file's earlier lines (each test file runs in a fresh
 * module), so running one file again does not count it twice.
 */
export interface Probe {
  file: string;
  probe: string;
  tried: number;
  fiveXX: number;
  leaks: number;
  lost: number;
}

export interface ProbeLine extends Probe {
  engine: string;
  at: string;
}

const started = new Set<string>();

/** The engine of this test project (pglite, postgres), or `none` outside the API projects. */
function engine(): string {
  try {
    return (inject('engine') as string | undefined) ?? 'none';
  } catch {
    return 'none';
  }
}

export function recordProbe(p: Probe, engineName = engine()): void {
  const file = basename(p.file);
  const dir = join(PROBES_DIR, engineName);
  const path = join(dir, `${file}.jsonl`);
  const line: ProbeLine = { ...p, file, engine: engineName, at: new Date().toISOString() };
  mkdirSync(dir, { recursive: true });
  if (started.has(path)) appendFileSync(path, `${JSON.stringify(line)}\n`);
  else {
    writeFileSync(path, `${JSON.stringify(line)}\n`);
    started.add(path);
  }
}

/** A running tally for a probe whose checks may throw half-way: count, then `record()` in `finally`. */
export function probeTally(file: string, probe: string) {
  const t = { file, probe, tried: 0, fiveXX: 0, leaks: 0, lost: 0 };
  return Object.assign(t, {
    record: () => recordProbe({ file: t.file, probe: t.probe, tried: t.tried, fiveXX: t.fiveXX, leaks: t.leaks, lost: t.lost }),
  });
}
