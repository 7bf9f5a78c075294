import { describe, expect, it } from 'vitest';
import { extraFields } from '../../server/catalogue/extra.ts';
import { CategorySchema } from '../../server/geodata/pack-schema.ts';

describe("a pack category's fields without a column", () => {
  it('survive the pack schema and are the ones kept in categories.extra', () => {
    const node = CategorySchema.parse({
      code: 'roads.pothole',
      name: { ru: 'Яма' },
      norm: { workingDays: 5 },
      synonyms: { ru: ['выбоина'], kk: ['шұңқыр'] },
      reviewNote: { ru: 'Проверить с дорожной службой.' },
      children: [{ code: 'roads.pothole.deep', name: { en: 'Deep' }, keywords: ['deep'] }],
    }) as unknown as Record<string, unknown> & { children: Record<string, unknown>[] };
    expect(extraFields(node)).toEqual({
      synonyms: { ru: ['выбоина'], kk: ['шұңқыр'] },
      reviewNote: { ru: 'Проверить с дорожной службой.' },
    });
    expect(extraFields(node.children[0])).toEqual({ keywords: ['deep'] });
  });
});
