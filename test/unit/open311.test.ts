import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { checkAttributes } from '../../server/open311/attributes.ts';
import { pickLang, splitFormat, toXml } from '../../server/open311/format.ts';

describe('Open311 helpers', () => {
  it('picks kk/ru/en from Accept-Language by q, Russian by default', () => {
    expect(pickLang(undefined)).toBe('ru');
    expect(pickLang('kk')).toBe('kk');
    expect(pickLang('de-DE,en;q=0.5,kk;q=0.7')).toBe('kk');
    expect(pickLang('en-GB')).toBe('en');
    expect(pickLang('kk;q=0,fr')).toBe('ru');
  });

  it('splits the format at the last dot (category codes have dots)', () => {
    expect(splitFormat('ksk_osi.roof.json')).toEqual({ name: 'ksk_osi.roof', format: 'json' });
    expect(splitFormat('services.xml')).toEqual({ name: 'services', format: 'xml' });
    expect(splitFormat('services.html')).toBeNull();
  });

  it('writes XML that escapes text and empties nulls', () => {
    const doc = toXml('service_requests', 'request', [{ description: 'a < b & "c"', address: null }]);
    expect(doc).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>/);
    const back = new XMLParser().parse(doc);
    expect(back.service_requests.request).toEqual({ description: 'a < b & "c"', address: '' });
  });

  it('checks attributes against the definition', () => {
    expect(checkAttributes('landscaping.trees.fallen', new Map([['blocks_road', ['yes']]]))).toEqual({
      lines: [expect.stringContaining('yes')],
    });
    expect(checkAttributes('landscaping.trees.fallen', new Map())).toHaveProperty('error');
    expect(checkAttributes('ksk_osi.roof', new Map([['floor', ['two']]]))).toHaveProperty('error');
    expect(checkAttributes('ksk_osi.roof', new Map([['rooms', ['kitchen', 'bathroom']]]))).toEqual({ lines: [expect.any(String)] });
    expect(checkAttributes('transport.driver.rude', new Map([['x', ['1']]]))).toHaveProperty('error');
  });
});
