import { describe, expect, it } from 'vitest';
import { checkFirstMeasures, fillFirstMeasures, FirstMeasuresSchema } from '../../server/emergencies/pack.ts';
import { readCityPack } from '../../server/geodata/pack.ts';

const emergencyOf = new Map([
  ['gas', false],
  ['gas.smell', true],
  ['roads.pothole', false],
]);
const names = { kk: 'a', ru: 'b', en: 'c' };

describe('first-measures.json', () => {
  it("Taraz's pack reads with a checklist for every emergency category it names, in kk/ru/en", async () => {
    const pack = await readCityPack('taraz');
    const fm = pack.firstMeasures;
    expect(Object.keys(fm.checklists)).toEqual(
      expect.arrayContaining(['gas.smell', 'manholes', 'flooding', 'lifts.stuck', 'electricity.wire_down']),
    );
    expect(fm.services.map((s) => s.code)).toEqual(expect.arrayContaining(['101', '103', '104', '112']));
    for (const list of Object.values(fm.checklists)) for (const m of list) expect(m.name.kk && m.name.ru && m.name.en).toBeTruthy();
    expect(fm.checklists['gas.smell'].some((m) => m.handover === '104')).toBe(true);
  });

  it('names each problem: an unknown or non-emergency category, a repeated code, a hand-over to an unlisted service', () => {
    const file = FirstMeasuresSchema.parse({
      services: { '104': names },
      checklists: {
        'gas.smell': [
          { code: 'fence', name: names },
          { code: 'fence', name: names },
          { code: 'handover_112', name: names, handover: '112' },
        ],
        'roads.pothole': [{ code: 'fence', name: names }],
        'no.such': [{ code: 'fence', name: names }],
      },
    });
    const problems = checkFirstMeasures(fillFirstMeasures(file, ['kk', 'ru', 'en']), emergencyOf);
    expect(problems).toEqual([
      'first-measures.json: "gas.smell": measure "fence" is listed twice',
      'first-measures.json: "gas.smell": measure "handover_112" hands over to "112", which "services" lacks',
      'first-measures.json: "roads.pothole" is not marked "emergency": true in categories.json',
      'first-measures.json: "no.such" is not a category in categories.json',
    ]);
  });

  it('refuses bad shapes: a measure code with spaces, a service that is not a number, an empty list', () => {
    for (const bad of [
      { services: {}, checklists: { 'gas.smell': [{ code: 'Fence it', name: names }] } },
      { services: { gas: names }, checklists: {} },
      { services: {}, checklists: { 'gas.smell': [] } },
    ]) {
      expect(FirstMeasuresSchema.safeParse(bad).success).toBe(false);
    }
  });
});
