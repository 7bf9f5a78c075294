/** The fields of a pack category the database has columns for; every other field is kept in categories.extra. */
const KNOWN = new Set([
  'code',
  'name',
  'icon',
  'color',
  'norm',
  'priority',
  'service',
  'radiusM',
  'windowHours',
  'emergency',
  'type',
  'answer',
  'children',
]);

/** A pack category's fields without a column (synonyms, answers, ...), carried through edits, exports and imports untouched. */
export function extraFields(node: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([k]) => !KNOWN.has(k)));
}
