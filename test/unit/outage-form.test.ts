/**
 * The outage register form's times and outline (client/src/lib/outage-form.ts): a datetime field
 * is read on the city's clock whatever the browser's zone, and a drawn outline closes itself.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_PATH, pagesFor } from '../../client/src/lib/nav.ts';
import { fromCityLocal, ringPolygon, toCityLocal } from '../../client/src/lib/outage-form.ts';
import { parseRoute } from '../../client/src/lib/routes.ts';

describe('outage form times', () => {
  it("reads a field on the city's clock (Almaty, UTC+5) and writes it back", () => {
    expect(fromCityLocal('2026-12-03T20:04', 'Asia/Almaty')).toBe('2026-12-03T15:04:00.000Z');
    expect(toCityLocal('2026-12-03T15:04:00.000Z', 'Asia/Almaty')).toBe('2026-12-03T20:04');
    expect(toCityLocal('2026-12-31T22:30:00.000Z', 'Asia/Almaty')).toBe('2027-01-01T03:30');
  });

  it('follows a clock change (New York: EST in January, EDT in July)', () => {
    expect(fromCityLocal('2026-01-15T09:00', 'America/New_York')).toBe('2026-01-15T14:00:00.000Z');
    expect(fromCityLocal('2026-07-15T09:00', 'America/New_York')).toBe('2026-07-15T13:00:00.000Z');
    expect(toCityLocal(fromCityLocal('2026-03-08T12:00', 'America/New_York')!, 'America/New_York')).toBe('2026-03-08T12:00');
  });

  it('refuses what is not a datetime field value', () => {
    expect(fromCityLocal('', 'Asia/Almaty')).toBeNull();
    expect(fromCityLocal('2026-12-03', 'Asia/Almaty')).toBeNull();
  });
});

describe('a drawn outline', () => {
  it('needs three corners and closes on the first', () => {
    expect(ringPolygon([])).toBeNull();
    expect(
      ringPolygon([
        [71.1, 42.1],
        [71.2, 42.1],
      ]),
    ).toBeNull();
    expect(
      ringPolygon([
        [71.1, 42.1],
        [71.2, 42.1],
        [71.2, 42.2],
      ]),
    ).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [71.1, 42.1],
          [71.2, 42.1],
          [71.2, 42.2],
          [71.1, 42.1],
        ],
      ],
    });
  });
});

describe('the register in the navigation', () => {
  it('is /outages, offered to those who may register outages and to no one else', () => {
    expect(parseRoute('/outages')).toEqual({ name: 'outages' });
    expect(PAGE_PATH.outages).toBe('/outages');
    for (const role of ['dispatcher', 'supervisor', 'admin']) expect(pagesFor(role)).toContain('outages');
    for (const role of ['executor', 'official', 'display', null]) expect(pagesFor(role)).not.toContain('outages');
  });
});
