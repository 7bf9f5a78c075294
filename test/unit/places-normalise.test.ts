import { describe, expect, it } from 'vitest';
import { foldText, normaliseName, parseHouseNumber, parseQuery, transliterate } from '../../server/places/normalise.ts';

describe('foldText', () => {
  it('folds Kazakh letters to their Russian look-alikes, ё to е, and drops punctuation', () => {
    expect(foldText('Әйтеке би, Өтеген батыр; Үш Ұлы, Қазыбек, Ғабит, Мыңбұлақ, Һ, Іле — Ёлка!')).toBe(
      'аитеке би отеген батир уш ули казибек габит минбулак х иле елка',
    );
  });
  it('transliterates Latin (English and the 2021 Kazakh alphabet) to the same Cyrillic', () => {
    expect(foldText('Tole bi')).toBe(foldText('Толе би'));
    expect(foldText('Zhambyl')).toBe(foldText('Жамбыл'));
    expect(foldText('Qazybek')).toBe(foldText('Қазыбек'));
    expect(foldText('Şoqan')).toBe(foldText('Шокан'));
    expect(transliterate('shchukin')).toBe('шукин');
    expect(transliterate('yurta')).toBe('юрта');
  });
});

describe('normaliseName', () => {
  const same = (a: string, b: string) => expect(normaliseName(a).key).toBe(normaliseName(b).key);
  it('takes street-type words out, in both languages and abbreviated', () => {
    for (const v of ['ул. Сулейменова', 'улица Сулейменова', 'Сүлейменов көшесі', 'Suleimenov street', 'Сулейменова ул'])
      same(v, 'Сулейменова');
    for (const v of ['пр. Абая', 'пр-т Абая', 'проспект Абая', 'Абай даңғылы', 'Abay ave']) same(v, 'Абая');
    expect(normaliseName('пр-т Абая').type).toBe('avenue');
    expect(normaliseName('Абай даңғылы').type).toBe('avenue');
    expect(normaliseName('мкр. Самал').type).toBe('microdistrict');
    same('ш/а Самал', 'мкр Самал');
    same('Самал шағын ауданы', 'микрорайон Самал');
    same('пер. Тихий', 'переулок Тихий');
    same('Бульвар Мира', 'б-р Мира');
  });
  it('matches the Russian genitive with the Kazakh nominative', () => {
    same('ул. Тауке хана', 'Тәуке хан көшесі');
    same('ул. Рысбек батыра', 'Рысбек батыр көшесі');
    same('ул. Ауэзова', 'Әуезов көшесі');
  });
  it('keeps a name that is only a type word, and names with a type word inside', () => {
    expect(normaliseName('Жібек жолы көшесі').key).toBe('жибек жоли');
    expect(normaliseName('Проспект').key).toBe('проспект');
  });
  it('expands English compass abbreviations', () => {
    same('W 135 St', 'WEST 135 STREET');
  });
});

describe('parseHouseNumber', () => {
  it.each([
    ['24а/1', 24, 'а', '1', '', '24а/1'],
    ['24A/1', 24, 'а', '1', '', '24а/1'],
    ['12 к2', 12, '', '', '2', '12к2'],
    ['12 корпус 2', 12, '', '', '2', '12к2'],
    ['д. 7Б', 7, 'б', '', '', '7б'],
    ['35-20', 35, '', '', '', '35-20'],
  ])('%s', (input, number, letter, slash, building, key) => {
    expect(parseHouseNumber(input)).toEqual({ number, letter, slash, building, key });
  });
  it('refuses what is not a house number', () => {
    expect(parseHouseNumber('Абая')).toBeNull();
    expect(parseHouseNumber('')).toBeNull();
  });
});

describe('parseQuery', () => {
  it('splits the house number off the end or, in English order, the start', () => {
    expect(parseQuery('Толе би 35')).toMatchObject({ kind: 'address', street: { key: 'толе би' }, house: { key: '35' } });
    expect(parseQuery('мкр Жайлау, 12 дом')).toMatchObject({ kind: 'address', street: { key: 'жаилау' }, house: { key: '12' } });
    expect(parseQuery('1234 Broadway')).toMatchObject({ kind: 'address', house: { key: '1234' } });
    expect(parseQuery('ул. Алексея Петрова 24а/1')).toMatchObject({ house: { key: '24а/1' } });
    expect(parseQuery('WEST 135 STREET')).toMatchObject({ kind: 'address', street: { key: 'уест 135' }, house: null });
  });
  it('reads intersections with a slash, "x", "угол … и …"', () => {
    for (const q of ['Толе би / Абая', 'угол Толе би и Абая', 'Толе би x Абая', 'Толе би & Абая']) {
      const p = parseQuery(q);
      expect(p.kind).toBe('intersection');
      if (p.kind === 'intersection') expect(p.streets.map((s) => s.key)).toEqual(['толе би', 'абаи']);
    }
  });
  it('does not take a slashed house number or ш/а for a crossing', () => {
    expect(parseQuery('Абая 24/1').kind).toBe('address');
    expect(parseQuery('ш/а Самал 5')).toMatchObject({ kind: 'address', street: { key: 'самал' }, house: { key: '5' } });
  });
});
