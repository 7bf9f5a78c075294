import { describe, expect, it } from 'vitest';
import { holdsPersonalData, redact, REDACTED } from '../../server/privacy/redact.ts';

describe('redact', () => {
  it.each([
    '+7 701 999 88 77',
    '8(701)9998877',
    '87019998877',
    '7019998877',
    '+7-701-999-88-77',
    '+77019998877',
    '8 701 999-88-77',
    '8.701.999.88.77',
    '+7 (7262) 43-21-09',
    '8 (7172) 55 44 33',
    '7 701 999 88 77',
  ])('replaces the phone %s', (phone) => {
    expect(redact(`Звоните ${phone}, спросите Айгерим`)).toBe(`Звоните ${REDACTED}, спросите Айгерим`);
  });

  it('replaces phones glued to words and followed by dates', () => {
    expect(redact('тел87019998877; звонил 12.03.2026')).toBe(`тел${REDACTED}; звонил 12.03.2026`);
    expect(redact('Уважаемая Айгерим (тел. +7 701 999 88 77), бригада приедет')).toBe(
      `Уважаемая Айгерим (тел. ${REDACTED}), бригада приедет`,
    );
  });

  it.each(['aigerim.k@mail.ru', 'Ivan_Petrov+109@gov.kz', 'айгерим@почта.қаз'])('replaces the e-mail address %s', (mail) => {
    expect(redact(`пишите на ${mail} до пятницы`)).toBe(`пишите на ${REDACTED} до пятницы`);
  });

  it('replaces a 12-digit IIN', () => {
    expect(redact('ИИН 900101400123, паспорт')).toBe(`ИИН ${REDACTED}, паспорт`);
    expect(redact('ИИН:050315500017')).toBe(`ИИН:${REDACTED}`);
  });

  it.each([
    'Обращение 109-2026-000123 закрыто',
    'Дубликат обращения 109-2026-7019998',
    'Срок до 12.03.2026 14:30',
    '2026-03-12T14:30:00Z',
    'ул. Толе би, д. 78, кв. 7',
    'дом 7/1, подъезд 3',
    'точка 42.8995, 71.3921',
    'точка 71.392145 42.899512',
    'lng 71.3921 lat 42.8995',
    'бюджет 7 000 000 тенге',
    'счётчик 1234567890123',
    'счётчик № 8712345',
    'Выполнено 3 из 12 работ, 100%',
    'IIN-like but not a date: 991399400123',
  ])('leaves %s alone', (text) => {
    expect(redact(text)).toBe(text);
    expect(holdsPersonalData(text)).toBe(false);
  });

  it('keeps null, undefined and empty text as they are', () => {
    expect(redact(null)).toBeNull();
    expect(redact(undefined)).toBeUndefined();
    expect(redact('')).toBe('');
  });

  it('redacts every occurrence in one text', () => {
    expect(redact('87019998877 или 87771234567, a@b.kz')).toBe(`${REDACTED} или ${REDACTED}, ${REDACTED}`);
  });

  it('skips the patterns a text cannot match (no @, fewer than ten digits) and still redacts at the edges', () => {
    // Ten digits with separators is a phone; nine is not; an e-mail address has no digit to count.
    expect(redact('звоните 8 701 999 88 77 вечером')).toBe(`звоните ${REDACTED} вечером`);
    expect(redact('дом 70199988, кв. 7')).toBe('дом 70199988, кв. 7');
    expect(redact('пишите на ivan.petrov@mail.kz пожалуйста')).toBe(`пишите на ${REDACTED} пожалуйста`);
    expect(redact('ИИН 900515300123, тел 7019998877, почта a@b.kz')).toBe(`ИИН ${REDACTED}, тел ${REDACTED}, почта ${REDACTED}`);
    // The digits of an e-mail address do not make a phone once it is redacted.
    expect(redact('user7019998877@mail.kz')).toBe(REDACTED);
  });
});
