import { describe, expect, it } from 'vitest';
import { anyDemo, placeText, reverseText, type PlaceProps, type Reverse } from '../../client/src/lib/places.ts';

// Shapes as /api/places answers them (a demo address has no names of its own: every language
// falls back to "street, house"; a street has its Kazakh and Russian names).
const names = (kk: string, ru: string, en: string) => ({ kk, ru, en });
const address: PlaceProps = {
  id: 12,
  kind: 'address',
  class: null,
  source: 'demo',
  name: names('пр. Толе би, 12', 'пр. Толе би, 12', 'пр. Толе би, 12'),
  old_name: null,
  street: 'пр. Толе би',
  housenumber: '12',
  district: { code: 'ortalyk', name: names('Орталық', 'Центр', 'Centre') },
  distance_m: 7.2,
};
const street: PlaceProps = {
  ...address,
  id: 16630,
  kind: 'street',
  source: 'osm',
  name: names('Төле би даңғылы', 'пр. Толе би', 'Tole bi Ave'),
  street: null,
  housenumber: null,
};
const feature = (p: PlaceProps) => ({
  type: 'Feature' as const,
  geometry: { type: 'Point' as const, coordinates: [71.37, 42.89] },
  properties: p,
});
const reverse = (a: PlaceProps | null, s: PlaceProps | null): Reverse => ({
  type: 'FeatureCollection',
  features: [a, s].filter((x) => x !== null).map(feature),
  address: a && feature(a),
  street: s && feature(s),
  district: address.district,
});

describe('places in the address field', () => {
  it('writes a building as "street, house" and anything else by its name in the interface language', () => {
    expect(placeText(address, 'kk')).toBe('пр. Толе би, 12');
    expect(placeText({ ...address, housenumber: null }, 'ru')).toBe('пр. Толе би');
    expect(placeText(street, 'kk')).toBe('Төле би даңғылы');
    expect(placeText(street, 'en')).toBe('Tole bi Ave');
    expect(placeText({ ...street, name: names('', 'пр. Толе би', '') }, 'en')).toBe('пр. Толе би');
  });

  it('fills the field from the building, else the street, else nothing', () => {
    expect(reverseText(reverse(address, street), 'ru')).toBe('пр. Толе би, 12');
    expect(reverseText(reverse(null, street), 'kk')).toBe('Төле би даңғылы');
    expect(reverseText(reverse(null, null), 'ru')).toBe('');
  });

  it('says when a place comes from the demo gazetteer', () => {
    expect(anyDemo([street, null, undefined])).toBe(false);
    expect(anyDemo([street, address])).toBe(true);
  });
});
