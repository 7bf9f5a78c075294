import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordProbe } from '../helpers/probes.ts';
import { BEGIN, END, PROBES_DIR, readProbes, withProbesTable } from '../helpers/probes-doc.ts';

// recordProbe writes under test/.probes/<engine>; this test uses an engine name of its own.
const ENGINE = `unit-${process.pid}`;
afterAll(() => rmSync(join(PROBES_DIR, ENGINE), { recursive: true, force: true }));

describe('the probes table of docs/security.md', () => {
  it('sums the records of a probe per engine, replaces a file’s earlier run, and renders between the markers', () => {
    const p = { file: 'test/api/x.test.ts', probe: 'floods', tried: 10, fiveXX: 1, leaks: 0, lost: 0 };
    recordProbe(p, ENGINE);
    recordProbe({ ...p, tried: 5, leaks: 2 }, ENGINE);
    recordProbe({ ...p, file: 'y.test.ts', probe: 'writes | cut', tried: 3, fiveXX: 0, lost: 1 }, ENGINE);
    const lines = readProbes(PROBES_DIR).filter((l) => l.engine === ENGINE);
    expect(lines).toHaveLength(3);
    expect(
      readFileSync(join(PROBES_DIR, ENGINE, 'x.test.ts.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);

    const doc = `# S\n\n${BEGIN}\nold table\n${END}\n\nafter\n`;
    const out = withProbesTable(doc, lines);
    expect(out).not.toContain('old table');
    expect(out).toContain(`| \`x.test.ts\` | floods | ${ENGINE} | 15 | 2 | 2 | 0 |`);
    expect(out).toContain(`| \`y.test.ts\` | writes \\| cut | ${ENGINE} | 3 | 0 | 0 | 1 |`);
    expect(out).toContain(`| **all** | | **${ENGINE}** | **18** | **2** | **2** | **1** |`);
    expect(out.endsWith(`${END}\n\nafter\n`)).toBe(true);
    expect(withProbesTable(out, lines)).toBe(out);
    expect(() => withProbesTable('# no markers', lines)).toThrow(/markers/);
  });
});
