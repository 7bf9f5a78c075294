import type { CityPack, PackCategory } from './pack-read.ts';
import { requestTypeProblems } from '../catalogue/request-type.ts';
import { MAX_APPEAL_HOURS, MAX_APPEAL_WORKING_DAYS } from './pack-schema.ts';

const duplicates = (codes: string[]) => [...new Set(codes.filter((c, i) => codes.indexOf(c) !== i))];

function allCategories(nodes: PackCategory[], out: PackCategory[] = []): PackCategory[] {
  for (const n of nodes) {
    out.push(n);
    allCategories(n.children ?? [], out);
  }
  return out;
}

/**
 * What the schemas cannot see: codes that must be unique, and references between files (a
 * category's or a routing rule's service, a rule's category and district).
 * Returns one line per problem, naming the file and the code.
 */
export function checkPack(pack: CityPack): string[] {
  const problems: string[] = [];
  const { city } = pack;
  const cats = allCategories(pack.categories);
  const services = new Set(pack.services.map((s) => s.code));
  const categories = new Set(cats.map((c) => c.code));
  const districts = new Set(pack.districts.features.map((f) => f.properties.code));
  for (const d of duplicates(pack.services.map((s) => s.code))) problems.push(`services.json: code "${d}" is used twice`);
  for (const d of duplicates(cats.map((c) => c.code))) problems.push(`categories.json: code "${d}" is used twice`);
  for (const d of duplicates(pack.districts.features.map((f) => f.properties.code))) problems.push(`districts: code "${d}" is used twice`);
  for (const d of duplicates(pack.holidays.map((h) => h.date))) problems.push(`holidays.json: date ${d} is listed twice`);
  if (pack.districts.features.length === 0) problems.push('districts: no district');
  if (cats.length === 0) problems.push('categories.json: no category');
  for (const c of cats) {
    if (c.service && !services.has(c.service))
      problems.push(`categories.json: "${c.code}" names service "${c.service}", which services.json does not have`);
    const norm = c.norm as { hours?: number; workingDays?: number } | undefined;
    if ((norm?.workingDays ?? 0) > MAX_APPEAL_WORKING_DAYS || (norm?.hours ?? 0) > MAX_APPEAL_HOURS)
      problems.push(
        `categories.json: "${c.code}" has a norm of ${norm?.workingDays ? `${norm.workingDays} working days` : `${norm?.hours} hours`}, ` +
          `longer than the ${MAX_APPEAL_WORKING_DAYS} working days an appeal may take`,
      );
    for (const p of requestTypeProblems({ type: c.type, answer: c.answer, children: c.children?.length }))
      problems.push(`categories.json: "${c.code}" ${p}`);
  }
  for (const code of Object.keys(pack.synonyms))
    if (!categories.has(code)) problems.push(`synonyms.json: "${code}" is not in categories.json`);
  pack.routing.forEach((r, i) => {
    const at = `routing.json: rule ${i + 1}`;
    if (!categories.has(r.category)) problems.push(`${at}: category "${r.category}" is not in categories.json`);
    if (r.district && !districts.has(r.district)) problems.push(`${at}: district "${r.district}" is not among the districts`);
    if (!services.has(r.service)) problems.push(`${at}: service "${r.service}" is not in services.json`);
  });
  const [[w, s], [e, n]] = city.bounds;
  if (!(w < e && s < n)) problems.push('city.json: bounds must be [[west, south], [east, north]]');
  return problems;
}
