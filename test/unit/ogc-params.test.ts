import { describe, expect, it } from 'vitest';
import { bboxParam, DEFAULT_LIMIT, limitParam, MAX_LIMIT, negotiate, parseDatetime, parseInstant } from '../../server/ogc/params.ts';

describe('OGC datetime', () => {
  it('reads instants: date-times with offsets, dates, and fractions cut to microseconds', () => {
    expect(parseDatetime('2026-01-01T10:00:00Z')).toEqual({
      start: { value: '2026-01-01T10:00:00Z', dateOnly: false },
      end: { value: '2026-01-01T10:00:00Z', dateOnly: false },
      instant: true,
    });
    expect(parseDatetime('2026-01-01')).toMatchObject({ start: { value: '2026-01-01', dateOnly: true }, instant: true });
    expect(parseInstant('2026-03-21t10:00:00.123456789+05:00')).toEqual({ value: '2026-03-21T10:00:00.123456+05:00', dateOnly: false });
  });

  it.each([
    ['../2026-01-01', undefined, '2026-01-01'],
    ['/2026-01-01', undefined, '2026-01-01'],
    ['2026-01-01/..', '2026-01-01', undefined],
    ['2026-01-01/', '2026-01-01', undefined],
    ['2025-12-01T00:00:00Z/2026-01-01T00:00:00Z', '2025-12-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['2026-01-01/2026-01-01', '2026-01-01', '2026-01-01'],
  ])('reads the interval %s', (s, start, end) => {
    const f = parseDatetime(s)!;
    expect(f.instant).toBe(false);
    expect(f.start?.value).toBe(start);
    expect(f.end?.value).toBe(end);
  });

  it.each([
    'yesterday',
    '2026-02-30',
    '2026-01-01T25:00:00Z',
    '2026-01-01/2025-01-01',
    '2026-01-01/2026-02-01/2026-03-01',
    '',
    '2026-1-1',
    '2026-01-01T10:00Z',
  ])('refuses %j', (s) => expect(parseDatetime(s)).toBeNull());
});

describe('OGC bbox and limit', () => {
  it('takes 4 numbers, or 6 with heights, and allows a box across the antimeridian', () => {
    expect(bboxParam.parse('71.2,42.8,71.5,43')).toEqual([71.2, 42.8, 71.5, 43]);
    expect(bboxParam.parse('71.2,42.8,0,71.5,43,100')).toEqual([71.2, 42.8, 71.5, 43]);
    expect(bboxParam.parse('170,-10,-170,10')).toEqual([170, -10, -170, 10]);
  });

  it.each(['1,2,3', '1,2,3,4,5', 'a,b,c,d', '0,50,10,40', '0,-91,10,0', '-181,0,0,1', '1,,2,3'])('refuses bbox=%s', (s) => {
    expect(bboxParam.safeParse(s).success).toBe(false);
  });

  it('lowers a limit above the maximum instead of refusing it, and refuses nonsense', () => {
    expect(limitParam.parse('50')).toBe(50);
    expect(limitParam.parse('999999')).toBe(MAX_LIMIT);
    for (const bad of ['0', '-1', '1.5', 'ten', '']) expect(limitParam.safeParse(bad).success).toBe(false);
    expect(DEFAULT_LIMIT).toBeLessThanOrEqual(MAX_LIMIT);
  });
});

describe('content negotiation', () => {
  it('lets f win, then a browser Accept header; scripts and GDAL get JSON', () => {
    expect(negotiate('html', 'application/json')).toBe('html');
    expect(negotiate('json', 'text/html')).toBe('json');
    expect(negotiate(undefined, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe('html');
    expect(negotiate(undefined, 'application/geo+json, application/json')).toBe('json');
    expect(negotiate(undefined, 'application/json;q=1, text/html;q=0.5')).toBe('json');
    expect(negotiate(undefined, '*/*')).toBe('json');
    expect(negotiate(undefined, undefined)).toBe('json');
  });
});
