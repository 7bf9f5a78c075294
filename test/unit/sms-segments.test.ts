import { describe, expect, it } from 'vitest';
import { countSegments, encodingOf, splitSegments } from '../../server/sms/segments.ts';
import { SMS_LANGS, SMS_TEXTS, smsText } from '../../server/sms/texts.ts';

describe('SMS segments', () => {
  it('counts GSM-7 septets: 160 in one SMS, 153 per part beyond', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'gsm7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
    expect(countSegments('').segments).toBe(1);
  });

  it('counts an extension character as two septets and never splits its escape', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}{`)).toMatchObject({ units: 161, segments: 2 });
    // 152 septets, then a two-septet character: it starts the second part.
    const parts = splitSegments(`${'a'.repeat(152)}[${'b'.repeat(20)}`);
    expect(parts.map((p) => p.length)).toEqual([152, 21]);
    expect(parts[1].startsWith('[')).toBe(true);
  });

  it('sends Cyrillic (Kazakh, Russian) as UCS-2: 70 in one SMS, 67 per part', () => {
    expect(encodingOf('Өтініш тіркелді')).toBe('ucs2');
    expect(encodingOf('Обращение')).toBe('ucs2');
    expect(encodingOf('Hello @ 109 £5')).toBe('gsm7');
    expect(countSegments('ж'.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(countSegments('ж'.repeat(71)).segments).toBe(2);
    expect(countSegments('ж'.repeat(134)).segments).toBe(2);
    expect(countSegments('ж'.repeat(135)).segments).toBe(3);
    // One Cyrillic letter turns a Latin text into UCS-2.
    expect(countSegments(`${'a'.repeat(100)}ы`)).toMatchObject({ encoding: 'ucs2', segments: 2 });
  });

  it('counts a character outside the BMP as two UCS-2 units and keeps its pair whole', () => {
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    const parts = splitSegments(`${'ж'.repeat(66)}😀ж`.repeat(2));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(67);
    expect(parts.join('')).toBe(`${'ж'.repeat(66)}😀ж`.repeat(2));
    expect(parts[0]).toBe('ж'.repeat(66));
  });
});

describe('SMS texts', () => {
  // A long public number: 30 characters (Taraz's are 15, like 109-2026-000123).
  const number = 'ABCDEFGHIJKL0109-2026-00001234';

  it('the registration text is one SMS in both languages', () => {
    for (const lang of SMS_LANGS) {
      const text = smsText(lang, { kind: 'registered', number });
      expect(text).toContain(number);
      expect(countSegments(text), lang).toMatchObject({ encoding: 'ucs2', segments: 1 });
    }
  });

  it('every language has the same texts, and the link text stays within three SMS', () => {
    expect(Object.keys(SMS_TEXTS.kk).sort()).toEqual(Object.keys(SMS_TEXTS.ru).sort());
    const link = `https://109.taraz.example.kz/feedback/${'A'.repeat(43)}`;
    for (const lang of SMS_LANGS) {
      const text = smsText(lang, { kind: 'resolved', number, link });
      expect(text.endsWith(link)).toBe(true);
      expect(countSegments(text).segments, lang).toBeLessThanOrEqual(3);
      for (const status of ['assigned', 'in_progress', 'reopened', 'closed', 'rejected'] as const) {
        expect(countSegments(smsText(lang, { kind: 'status', number, status })).segments).toBe(1);
      }
    }
    expect(smsText('kk', { kind: 'status', number, status: 'in_progress' })).toBe(`${number} өтініші: жұмыста.`);
  });
});
