/**
 * npx tsx geodata/taraz/catalogue-src/generate.ts
 *
 * Writes geodata/taraz/categories.json from base.json (the 242 nodes of the first pack, kept as
 * they are) and the sphere files *.txt of this folder (the kinds added on top). Deterministic:
 * files are read in name order and nothing depends on the clock. The line format is:
 *
 *   # comment
 *   sphere <code> <icon> <#color> <settings> | kk | ru | en     a new sphere
 *   cat <code> <settings> | kk | ru | en                        a new category (parent = code minus its last part)
 *   in <code>                                                   the kinds below go under this node
 *   <slug> <settings> | kk | ru | en                            a kind under the current node
 *   = kk | ru | en                                              the dispatcher's answer to the information kind above
 *
 * Settings (any order, all optional): d<n> working days, h<n> hours, p<n> priority, s:<service>,
 * r<n> duplicate radius (m), w<n> duplicate window (h), e emergency, i information request
 * (default d1 p4, needs an answer line). Unset settings are copied from the parent node, and
 * every node written sets every field itself.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Names = { kk: string; ru: string; en: string };
interface Node {
  code: string;
  name: Names;
  icon?: string;
  color?: string;
  norm: { hours: number } | { workingDays: number };
  priority: number;
  service: string;
  radiusM: number;
  windowHours: number;
  emergency: boolean;
  type?: 'information';
  answer?: Names;
  children: Node[];
}

const here = dirname(fileURLToPath(import.meta.url));

export function buildCatalogue(base: Node[], sources: { file: string; text: string }[]): Node[] {
  const tree: Node[] = structuredClone(base);
  const byCode = new Map<string, Node>();
  const index = (nodes: Node[]) =>
    nodes.forEach((n) => {
      byCode.set(n.code, n);
      index(n.children);
    });
  index(tree);
  const names = (parts: string[], where: string): Names => {
    const [kk, ru, en] = parts.map((p) => p.trim());
    if (!kk || !ru || !en) throw new Error(`${where}: needs kk | ru | en`);
    return { kk, ru, en };
  };
  const settings = (tokens: string[], from: Node, where: string) => {
    const n: Partial<Node> = {
      norm: from.norm,
      priority: from.priority,
      service: from.service,
      radiusM: from.radiusM,
      windowHours: from.windowHours,
      emergency: false,
    };
    let info = false;
    let normSet = false;
    let prioSet = false;
    for (const t of tokens) {
      let m: RegExpExecArray | null;
      if ((m = /^d(\d+)$/.exec(t))) {
        n.norm = { workingDays: +m[1] };
        normSet = true;
      } else if ((m = /^h(\d+)$/.exec(t))) {
        n.norm = { hours: +m[1] };
        normSet = true;
      } else if ((m = /^p([1-4])$/.exec(t))) {
        n.priority = +m[1];
        prioSet = true;
      } else if ((m = /^s:([a-z0-9_]+)$/.exec(t))) n.service = m[1];
      else if ((m = /^r(\d+)$/.exec(t))) n.radiusM = +m[1];
      else if ((m = /^w(\d+)$/.exec(t))) n.windowHours = +m[1];
      else if (t === 'e') n.emergency = true;
      else if (t === 'i') info = true;
      else throw new Error(`${where}: unknown setting "${t}"`);
    }
    if (info) {
      if (!normSet) n.norm = { workingDays: 1 };
      if (!prioSet) n.priority = 4;
      n.type = 'information';
    }
    return n;
  };
  const add = (parent: Node | null, node: Node, where: string) => {
    if (byCode.has(node.code)) throw new Error(`${where}: code ${node.code} is used twice`);
    byCode.set(node.code, node);
    (parent ? parent.children : tree).push(node);
  };
  for (const { file, text } of [...sources].sort((a, b) => a.file.localeCompare(b.file))) {
    let current: Node | null = null;
    let last: Node | null = null;
    text.split('\n').forEach((raw, i) => {
      const where = `${file}:${i + 1}`;
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      if (line.startsWith('=')) {
        if (!last?.type) throw new Error(`${where}: an answer must follow an information kind`);
        last.answer = names(line.slice(1).split('|'), where);
        return;
      }
      const [head, ...rest] = line.split('|');
      const tokens = head.trim().split(/\s+/);
      if (tokens[0] === 'in') {
        current = byCode.get(tokens[1]) ?? null;
        if (!current) throw new Error(`${where}: no node ${tokens[1]}`);
        return;
      }
      if (tokens[0] === 'sphere') {
        const [, code, icon, color, ...set] = tokens;
        const { type: _type, ...s } = settings(
          set,
          { norm: { workingDays: 10 }, priority: 3, service: 'center_109', radiusM: 200, windowHours: 72 } as Node,
          where,
        );
        const node = { code, name: names(rest, where), icon, color, ...s, children: [] } as Node;
        add(null, node, where);
        current = node;
        return;
      }
      if (tokens[0] === 'cat') {
        const code = tokens[1];
        const parent = byCode.get(code.slice(0, code.lastIndexOf('.')));
        if (!parent) throw new Error(`${where}: no parent for ${code}`);
        // "i" on a category sets information defaults (d1 p4) for its kinds; the category itself is no request.
        const { type: _type, ...set } = settings(tokens.slice(2), parent, where);
        const node = { code, name: names(rest, where), ...set, children: [] } as Node;
        add(parent, node, where);
        current = node;
        return;
      }
      if (!current) throw new Error(`${where}: a kind before any "in", "cat" or "sphere"`);
      const parent: Node = current;
      const node = {
        code: `${parent.code}.${tokens[0]}`,
        name: names(rest, where),
        ...settings(tokens.slice(1), parent, where),
        children: [],
      } as Node;
      add(parent, node, where);
      last = node;
    });
  }
  for (const n of byCode.values()) if (n.type && !n.answer) throw new Error(`${n.code}: an information kind without an answer`);
  // Field order as in base.json, so the file diffs well.
  const order = (n: Node): Node =>
    Object.fromEntries(
      (['code', 'name', 'icon', 'color', 'type', 'norm', 'priority', 'service', 'radiusM', 'windowHours', 'emergency', 'answer'] as const)
        .filter((k) => n[k] !== undefined)
        .map((k): [string, unknown] => [k, n[k]])
        .concat([['children', n.children.map(order)]]),
    ) as unknown as Node;
  return tree.map(order);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const base = JSON.parse(readFileSync(join(here, 'base.json'), 'utf8')) as Node[];
  const sources = readdirSync(here)
    .filter((f) => f.endsWith('.txt'))
    .map((file) => ({ file, text: readFileSync(join(here, file), 'utf8') }));
  const tree = buildCatalogue(base, sources);
  let kinds = 0;
  let info = 0;
  const walk = (ns: Node[], depth: number) =>
    ns.forEach((n) => {
      if (depth >= 2) kinds++;
      if (n.type) info++;
      walk(n.children, depth + 1);
    });
  walk(tree, 0);
  writeFileSync(join(here, '..', 'categories.json'), `${JSON.stringify(tree, null, 2)}\n`);
  console.log(`categories.json: ${tree.length} spheres, ${kinds} kinds (${info} information requests)`);
}
