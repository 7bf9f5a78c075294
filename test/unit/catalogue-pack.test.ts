import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalogue } from '../../geodata/taraz/catalogue-src/generate.ts';
import { readCityPack } from '../../server/geodata/pack.ts';

/**
 * Issue 19: the Taraz catalogue at the centre's real size (1,000+ kinds), generated from its
 * sources, and a pack whose catalogue is broken is refused with the problem named.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TARAZ = join(ROOT, 'geodata/taraz');
const SRC = join(TARAZ, 'catalogue-src');
const tmp = mkdtempSync(join(tmpdir(), 'jardem-catalogue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Node = {
  code: string;
  name: Record<string, string>;
  type?: string;
  answer?: Record<string, string>;
  norm: { hours?: number; workingDays?: number };
  service: string;
  priority: number;
  radiusM: number;
  windowHours: number;
  emergency: boolean;
  children: Node[];
};
const flat = (nodes: Node[], depth = 0, out: (Node & { depth: number })[] = []) => {
  for (const n of nodes) {
    out.push({ ...n, depth });
    flat(n.children, depth + 1, out);
  }
  return out;
};
const raw = (file: string) => JSON.parse(readFileSync(join(TARAZ, file), 'utf8'));

let n = 0;
function brokenCopy(edit: (tree: Node[]) => void): string {
  const dir = join(tmp, String(n++), 'taraz');
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(TARAZ, dir, { recursive: true });
  const tree = raw('categories.json') as Node[];
  edit(tree);
  writeFileSync(join(dir, 'categories.json'), JSON.stringify(tree));
  return dir;
}
const refusal = (dir: string) =>
  readCityPack(dir).then(
    () => 'accepted',
    (err: Error) => err.message,
  );
const find = (tree: Node[], code: string) => flat(tree).find((c) => c.code === code)!;
const at = (tree: Node[], code: string): Node => {
  let hit: Node | undefined;
  const walk = (ns: Node[]) => ns.forEach((x) => (x.code === code ? (hit = x) : walk(x.children)));
  walk(tree);
  return hit!;
};

describe('the Taraz catalogue', () => {
  const tree = raw('categories.json') as Node[];
  const all = flat(tree);
  const services = new Set((raw('services.json') as { code: string }[]).map((s) => s.code));

  it('has more than 1,000 kinds, each with names, norm within 15 working days, priority, service, duplicate radius and window', () => {
    const kinds = all.filter((c) => c.depth >= 2);
    expect(kinds.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(all.map((c) => c.code)).size).toBe(all.length);
    for (const c of all) {
      expect([c.code, c.name.kk?.trim() && c.name.ru?.trim() && c.name.en?.trim()]).toEqual([c.code, expect.any(String)]);
      expect(services.has(c.service), c.code).toBe(true);
      const wd = c.norm.workingDays ?? 0;
      const h = c.norm.hours ?? 0;
      expect(wd > 0 || h > 0, c.code).toBe(true);
      expect(wd <= 15 && h <= 504, c.code).toBe(true);
      expect([1, 2, 3, 4]).toContain(c.priority);
      expect(c.radiusM).toBeGreaterThan(0);
      expect(c.windowHours).toBeGreaterThan(0);
      expect(typeof c.emergency).toBe('boolean');
    }
  });

  it('gives every information request the answer a dispatcher reads out, in kk, ru and en, due in one working day', () => {
    const info = all.filter((c) => c.type === 'information');
    expect(info.length).toBeGreaterThanOrEqual(100);
    for (const c of info) {
      expect(c.answer?.kk && c.answer.ru && c.answer.en, c.code).toBeTruthy();
      expect(c.norm, c.code).toEqual({ workingDays: 1 });
      expect(c.children).toEqual([]);
    }
  });

  it('keeps every node of the first pack as it was, and is exactly what the generator writes from its sources', () => {
    const base = JSON.parse(readFileSync(join(SRC, 'base.json'), 'utf8')) as Node[];
    for (const b of flat(base)) {
      const { children: _a, ...was } = b;
      const { children: _b, ...now } = find(tree, b.code);
      expect(now).toEqual(was);
    }
    const sources = readdirSync(SRC)
      .filter((f) => f.endsWith('.txt'))
      .map((file) => ({ file, text: readFileSync(join(SRC, file), 'utf8') }));
    expect(buildCatalogue(base as never, sources)).toEqual(tree);
  });

  it('the generator refuses a source line it cannot read: an unknown setting, a code used twice, an answer without a request', () => {
    const base = [structuredClone(tree[0])] as never;
    expect(() => buildCatalogue(base, [{ file: 'a.txt', text: 'in transport\nx q9 | a | b | c' }])).toThrow(/unknown setting "q9"/);
    expect(() => buildCatalogue(base, [{ file: 'a.txt', text: 'in transport\nschedule | a | b | c' }])).toThrow(/used twice/);
    expect(() => buildCatalogue(base, [{ file: 'a.txt', text: 'in transport\nx | a | b | c\n= a | b | c' }])).toThrow(/answer must follow/);
    expect(() => buildCatalogue(base, [{ file: 'a.txt', text: 'in transport\nx i | a | b | c' }])).toThrow(/without an answer/);
  });
});

describe('a broken catalogue is refused with the problem named', () => {
  it('a norm longer than the 15 working days of an appeal', async () => {
    const dir = brokenCopy((t) => (at(t, 'roads.unpaved.gravel_needed').norm = { workingDays: 20 }));
    expect(await refusal(dir)).toMatch(/"roads\.unpaved\.gravel_needed" has a norm of 20 working days/);
    const hours = brokenCopy((t) => (at(t, 'roads.pothole.deep').norm = { hours: 600 }));
    expect(await refusal(hours)).toMatch(/"roads\.pothole\.deep" has a norm of 600 hours/);
  });

  it('an information request without its answer, or an answer on a complaint', async () => {
    expect(await refusal(brokenCopy((t) => delete at(t, 'noise.info.quiet_hours').answer))).toMatch(
      /"noise\.info\.quiet_hours" is an information request without an answer/,
    );
    expect(await refusal(brokenCopy((t) => (at(t, 'gas.smell').answer = { kk: 'a', ru: 'b', en: 'c' })))).toMatch(
      /"gas\.smell" has an answer but is not an information request/,
    );
  });

  it('a name or an answer missing in one of the three languages', async () => {
    expect(await refusal(brokenCopy((t) => delete (at(t, 'lifts.stuck.stuck_child').name as Record<string, string>).ru))).toMatch(
      /"lifts\.stuck\.stuck_child" has no name in ru/,
    );
    expect(await refusal(brokenCopy((t) => (at(t, 'noise.info.quiet_hours').answer!.kk = ' ')))).toMatch(
      /"noise\.info\.quiet_hours" has no answer in kk/,
    );
  });

  it('a duplicate code and a service that does not exist', async () => {
    const msg = await refusal(
      brokenCopy((t) => {
        at(t, 'housing.queue').children.push(structuredClone(at(t, 'housing.queue.queue_position')));
        at(t, 'land.plots.plot_seized').service = 'no_such_service';
      }),
    );
    expect(msg).toMatch(/code "housing\.queue\.queue_position" is used twice/);
    expect(msg).toMatch(/"land\.plots\.plot_seized" names service "no_such_service"/);
  });
});
