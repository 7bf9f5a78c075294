import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';
import { invalidateUsage } from '../../server/meta/queries.ts';
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
    // The words alone: how often each kind was used lately (the demo's history, placed relative to
    // today) only breaks near ties, and is tested in test/unit/catalogue-search.test.ts.
    const index = buildIndex(body.categories.map((c) => ({ ...c, usage: 0 })));
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
  it('follows the catalogue version: a synonym added in /admin is in /api/meta and the search at once, on another instance within a second', async () => {
    // A second API instance with its own pool and caches, as behind a load balancer.
    const pool = createPool(inject('databaseUrl'), 2);
    afterAll(() => pool.end());
    const other = createApp({ pool, engine: inject('engine'), config: loadConfig({ JARDEM_DEMO: 'true', LOG_LEVEL: 'silent' }) });
    const metaThere = async () => (await (await other.request('/api/meta')).json()) as { categories: MetaCategory[] };
    const word = 'зыбзырбык';
    const find = (meta: { categories: MetaCategory[] }) => searchCatalogue(buildIndex(meta.categories), word, 1).map((h) => h.code);
    expect(find(await metaThere())).not.toEqual(['lifts.stuck']); // and the catalogue is cached there now

    const admin = await t.login('admin');
    const { body: all } = await t.json('/api/admin/catalogue', { headers: { cookie: admin } });
    const target = (all.categories as { code: string; version: number; synonyms: string[] }[]).find((c) => c.code === 'lifts.stuck')!;
    const edit = await t.json('/api/admin/catalogue/categories/lifts.stuck', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie: admin },
      body: JSON.stringify({ version: target.version, synonyms: [...target.synonyms, word] }),
    });
    expect(edit.status).toBe(200);
    // This instance: at once.
    const here = (await t.json<{ categories: MetaCategory[] }>('/api/meta')).body;
    expect(here.categories.find((c) => c.code === 'lifts.stuck')!.synonyms).toContain(word);
    expect(find(here)).toEqual(['lifts.stuck']);
    // The other instance: after its next version check.
    await new Promise((r) => setTimeout(r, 1100));
    expect(find(await metaThere())).toEqual(['lifts.stuck']);
  });

  it('counts usage at most once per ten minutes, not on every call of the public route', async () => {
    const count = async () =>
      (await t.json<{ categories: MetaCategory[] }>('/api/meta')).body.categories.find((c) => c.code === 'lifts.stuck')!.usage;
    const before = await count();
    const dispatcher = await t.login('dispatcher');
    const made = await t.register(dispatcher, 'Лифт застрял (usage test)', { category: 'lifts.stuck' });
    expect(made.status).toBe(201);
    // The appeal counts in the database at once, and in /api/meta when the cached count expires.
    expect(await count()).toBe(before);
    invalidateUsage(t.pool);
    expect(await count()).toBe(before + 1);
  });
});
