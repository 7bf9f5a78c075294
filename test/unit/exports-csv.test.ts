import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { BOM, csvField, csvLine } from '../../server/exports/csv.ts';

describe('CSV (RFC 4180)', () => {
  it('quotes only what needs quoting and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(3)).toBe('3');
    expect(csvField(false)).toBe('false');
    expect(csvField(new Date('2026-03-21T10:00:00Z'))).toBe('2026-03-21T10:00:00.000Z');
  });

  it('disarms spreadsheet formulas in free text only', () => {
    expect(csvField('=HYPERLINK("x")', { freeText: true })).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+7 700', { freeText: true })).toBe("'+7 700");
    expect(csvField('-5', { freeText: false })).toBe('-5');
  });

  it('round-trips Cyrillic, Kazakh, commas, quotes and line breaks through a CSV parser', () => {
    const rows = [
      ['number', 'address', 'description'],
      ['109-2026-000001', 'ул. Толе би, 12', 'Нет "горячей" воды,\r\nвторой день'],
      ['109-2026-000002', 'Әйтеке би көшесі', 'Жарық жоқ'],
    ];
    const text = BOM + rows.map((r) => csvLine(r)).join('');
    expect(text.endsWith('\r\n')).toBe(true);
    const parsed = parse(text, { bom: true });
    expect(parsed).toEqual(rows);
  });
});
