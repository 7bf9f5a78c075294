/**
 * Issue 15 (left over from finding 3): a reader without personal-data rights got descriptions
 * redacted, yet `q=7019998877` still found the appeals that hold that phone. A search for a
 * phone (or a large part of one), an e-mail or an IIN is refused to such readers; staff with
 * personal-data rights search as before, and anyone may search by an appeal's number.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { searchesPersonalData } from '../../server/privacy/search-guard.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const MARK = `поискзнак${Date.now().toString(36)}`;
let number = '';

beforeAll(async () => {
  const cookie = await t.login('dispatcher');
  const res = await t.register(cookie, `${MARK} звоните 8 701 555 44 33, mail zhanar.k@mail.kz`);
  expect(res.status).toBe(201);
  number = res.body.number;
});

describe('searching by personal data', () => {
  it('tells a phone, a part of one, an e-mail and an IIN from an appeal number or a house number', () => {
    for (const q of ['87015554433', '555 44 33', '+7 (701) 555-44-33', 'zhanar.k@mail.kz', '@mail', '900101400123'])
      expect(searchesPersonalData(q), q).toBe(true);
    for (const q of ['109-2026-000123', 'Толе би 35', 'мкр Жайлау, 12 дом', 'люк 2026']) expect(searchesPersonalData(q), q).toBe(false);
  });

  it('is refused to readers without personal-data rights on every surface that searches', async () => {
    const official = await t.login('official');
    for (const path of [
      '/api/incidents?q=5554433',
      '/api/incidents?q=zhanar.k%40mail.kz',
      '/api/districts?q=87015554433',
      '/ogc/collections/incidents/items?q=5554433',
    ]) {
      for (const headers of [{}, { cookie: official }] as Record<string, string>[]) {
        const res = await t.json(path, { headers });
        expect(res.status, path).toBe(400);
        expect(res.body.error.code).toBe('personal_data_search');
      }
    }
  });

  it('still works for staff with personal-data rights, and for anyone by appeal number or plain words', async () => {
    const dispatcher = await t.login('dispatcher');
    const found = await t.json(`/api/incidents?q=${encodeURIComponent('555 44 33')}`, { headers: { cookie: dispatcher } });
    expect(found.status).toBe(200);
    expect(found.body.features.some((f: { properties: { number: string } }) => f.properties.number === number)).toBe(true);
    const anonymous = await t.json(`/api/incidents?q=${encodeURIComponent(MARK)}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.features.length).toBe(1);
    expect((await t.json(`/api/incidents?q=${number}`)).status).toBe(200);
  });
});
