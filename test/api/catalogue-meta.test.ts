import { describe, expect, it } from 'vitest';
import { buildIndex, searchCatalogue, type SearchEntry } from '../../server/catalogue/search.ts';
import { testApp } from '../helpers/app.ts';

/**
 * Issue 19: /api/meta carries the catalogue at its real size with what the dispatcher's picker
 * searches (synonyms, 90-day usage) and the answers of information requests, read from the
 * database the pack was loaded into (migration 024).
 */
const t = testApp();

type MetaCategory = SearchEntry & { type: string | null; answer: { kk: string; ru: string; en: string } | null; usage: number };

describe('the catalogue in /api/meta', () => {
  it('has the 1,000+ kinds, information requests with their answers in kk/ru/en, and the synonyms', async () => {
    const { status, body } = await t.json<{ categories: MetaCategory[] }>('/api/meta');
    expect(status).toBe(200);
    expect(body.categories.filter((c) => c.depth >= 2).length).toBeGreaterThanOrEqual(1000);
    const quiet = body.categories.find((c) => c.code === 'noise.info.quiet_hours')!;
    expect(quiet.type).toBe('information');
    expect(quiet.answer!.ru).toMatch(/23:00/);
    expect(quiet.answer!.kk && quiet.answer!.en).toBeTruthy();
    const info = body.categories.filter((c) => c.type === 'information');
    expect(info.length).toBeGreaterThanOrEqual(100);
    for (const c of info) expect(c.answer?.kk && c.answer.ru && c.answer.en, c.code).toBeTruthy();
    expect(body.categories.find((c) => c.code === 'gas.smell')!.answer).toBeNull();
    expect(body.categories.find((c) => c.code === 'lifts.stuck')!.synonyms!.join(' ')).toMatch(/застрял/);
  });

  it('counts each node’s appeals of the last 90 days, as the database does', async () => {
    const { rows } = await t.pool.query<{ code: string; n: number }>(
      `SELECT c.code, count(i.id)::int AS n FROM categories c LEFT JOIN incidents i ON i.category_id = c.id AND i.created_at > now() - interval '90 days'
        WHERE c.active GROUP BY c.code`,
    );
    const { body } = await t.json<{ categories: MetaCategory[] }>('/api/meta');
    const usage = new Map(body.categories.map((c) => [c.code, c.usage]));
    for (const r of rows) expect([r.code, usage.get(r.code)]).toEqual([r.code, r.n]);
  });

  it('is what the picker searches: caller words in kk and ru, Latin and look-alike letters, typos', async () => {
    const { body } = await t.json<{ categories: MetaCategory[] }>('/api/meta');
    const index = buildIndex(body.categories);
    const top = (q: string, n = 5) => searchCatalogue(index, q, n).map((h) => h.code);
    expect(top('лифт застрял', 1)).toEqual(['lifts.stuck']);
    expect(top('канализация течёт по улице', 3)).toContain('sewage.overflow');
    expect(top('итбасылар', 5).some((c) => c.startsWith('animals.dogs'))).toBe(true);
    expect(top('мусор не вывозят', 3).some((c) => c.startsWith('garbage.missed'))).toBe(true);
    expect(top('свет не горит на улице, фонари', 1)[0]).toMatch(/^lighting\.dark/);
    expect(top('нет света в квартире', 3).some((c) => c.startsWith('electricity.outage'))).toBe(true);
    expect(top('жарык жок уйде', 3).some((c) => c.startsWith('electricity.outage'))).toBe(true);
    expect(top('jaryq joq', 5).some((c) => c.startsWith('electricity.outage'))).toBe(true);
    expect(top('канализацыя забилась', 3).some((c) => c.startsWith('sewage.blockage'))).toBe(true);
  });
});
