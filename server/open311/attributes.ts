import { isInstant } from '../instants.ts';

/**
 * Service definitions: the extra questions a few categories ask (GeoReport v2 attributes).
 * Defined in code; a category without an entry has `metadata: false` and no attributes.
 */
export interface Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

const yesNo = [
  { key: 'yes', name: 'Да / Yes' },
  { key: 'no', name: 'Нет / No' },
];

export const ATTRIBUTES: Record<string, Attribute[]> = {
  'transport.schedule.long_interval': [
    {
      variable: true,
      code: 'route',
      datatype: 'string',
      required: true,
      datatype_description: 'Route number, e.g. 12',
      order: 1,
      description: 'Номер маршрута / Route number',
    },
    {
      variable: true,
      code: 'wait_minutes',
      datatype: 'number',
      required: false,
      datatype_description: 'Minutes waited',
      order: 2,
      description: 'Сколько минут ждали / Minutes waited',
    },
  ],
  'landscaping.trees.fallen': [
    {
      variable: true,
      code: 'blocks_road',
      datatype: 'singlevaluelist',
      required: true,
      datatype_description: null,
      order: 1,
      description: 'Дерево перекрывает дорогу? / Does the tree block the road?',
      values: yesNo,
    },
  ],
  'ksk_osi.roof': [
    {
      variable: true,
      code: 'floor',
      datatype: 'number',
      required: false,
      datatype_description: 'Floor of the flat that leaks',
      order: 1,
      description: 'Этаж / Floor',
    },
    {
      variable: true,
      code: 'rooms',
      datatype: 'multivaluelist',
      required: false,
      datatype_description: null,
      order: 2,
      description: 'Где течёт / Where it leaks',
      values: [
        { key: 'kitchen', name: 'Кухня / Kitchen' },
        { key: 'bedroom', name: 'Комната / Room' },
        { key: 'bathroom', name: 'Ванная / Bathroom' },
        { key: 'stairwell', name: 'Подъезд / Stairwell' },
      ],
    },
  ],
};

/**
 * Checks posted `attribute[code]` values against a category's definition. Returns the lines
 * appended to the appeal's description, or an error message.
 */
export function checkAttributes(serviceCode: string, given: Map<string, string[]>): { lines: string[] } | { error: string } {
  const defs = ATTRIBUTES[serviceCode] ?? [];
  const lines: string[] = [];
  for (const code of given.keys()) {
    if (!defs.some((d) => d.code === code)) return { error: `attribute[${code}] is not defined for service ${serviceCode}` };
  }
  for (const d of defs) {
    const values = (given.get(d.code) ?? []).map((v) => v.trim()).filter((v) => v !== '');
    if (!values.length) {
      if (d.required) return { error: `attribute[${d.code}] is required for service ${serviceCode}` };
      continue;
    }
    if (d.datatype !== 'multivaluelist' && values.length > 1) return { error: `attribute[${d.code}] takes one value` };
    for (const v of values) {
      if (v.length > 500) return { error: `attribute[${d.code}] is too long` };
      if (d.datatype === 'number' && !Number.isFinite(Number(v))) return { error: `attribute[${d.code}] must be a number` };
      if (d.datatype === 'datetime' && !isInstant(v)) return { error: `attribute[${d.code}] must be a date-time` };
      if (d.values && !d.values.some((x) => x.key === v)) return { error: `attribute[${d.code}]: unknown value "${v}"` };
    }
    lines.push(`${d.description}: ${values.join(', ')}`);
  }
  return { lines };
}
