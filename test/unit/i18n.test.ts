import { describe, expect, it } from 'vitest';
import { en } from '../../client/src/i18n/en.ts';
import { kk } from '../../client/src/i18n/kk.ts';
import { ru } from '../../client/src/i18n/ru.ts';

const dictionaries = { ru, kk, en } as Record<string, Record<string, string>>;
const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('client dictionaries', () => {
  it('have the same keys in Kazakh, Russian and English', () => {
    const keys = Object.keys(ru).sort();
    for (const [lang, dict] of Object.entries(dictionaries)) expect(Object.keys(dict).sort(), lang).toEqual(keys);
  });

  it('have no empty strings', () => {
    for (const [lang, dict] of Object.entries(dictionaries)) {
      for (const [key, text] of Object.entries(dict)) expect(text.trim(), `${lang} ${key}`).not.toBe('');
    }
  });

  it('use the same {parameters} in every language', () => {
    for (const key of Object.keys(ru)) {
      expect(params(kk[key as keyof typeof kk]), `kk ${key}`).toEqual(params(ru[key as keyof typeof ru]));
      expect(params(en[key as keyof typeof en]), `en ${key}`).toEqual(params(ru[key as keyof typeof ru]));
    }
  });

  it('write Kazakh with Kazakh letters where the Russian alphabet lacks them', () => {
    // a dictionary that is really Russian would have none of ә ғ қ ң ө ұ ү һ і
    const kazakh = Object.values(kk).join(' ');
    expect(kazakh).toMatch(/[әғқңөұүһі]/i);
    const same = Object.keys(ru).filter(
      (k) => kk[k as keyof typeof kk] === ru[k as keyof typeof ru] && /[а-я]{4,}/i.test(ru[k as keyof typeof ru]),
    );
    // only words the two languages share (e.g. "Навигация", "Логин", "Телефон", "Спам") may be equal
    expect(same.length).toBeLessThan(10);
  });
});
