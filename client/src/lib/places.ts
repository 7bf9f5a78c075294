/**
 * The geocoder as the client reads it (server/places/routes.ts, docs/api.md): search suggestions
 * and reverse geocoding, and how a place is written in an address field. Coordinates are
 * [lng, lat] in EPSG:4326; distances in metres.
 */
import type { Feature, FeatureCollection, Point } from 'geojson';
import { getJson, type Lang, type Names } from './api.ts';

export type PlaceKind = 'address' | 'street' | 'intersection' | 'place' | 'poi' | 'district';

export interface PlaceProps {
  /** null for a crossing (two streets) */
  id: number | null;
  kind: PlaceKind;
  class: string | null;
  /** `osm`, a register's name, `demo` (the demo gazetteer: synthetic) or `districts`; absent on crossings */
  source?: string;
  name: Names;
  old_name: string | null;
  street: string | null;
  housenumber: string | null;
  district: { code: string; name: Names } | null;
  score?: number;
  /** reverse only: metres from the asked point */
  distance_m?: number;
}
export type PlaceFeature = Feature<Point, PlaceProps>;

/** GET /api/places/reverse */
export interface Reverse extends FeatureCollection<Point, PlaceProps> {
  address: PlaceFeature | null;
  street: PlaceFeature | null;
  district: { code: string; name: Names } | null;
}

/** The source of the demo gazetteer (synthetic addresses of the demo city). */
export const DEMO_SOURCE = 'demo';

/** Suggestions for typed text, best first; `near` ranks closer places higher. */
export function searchPlaces(q: string, near: [number, number] | null, signal?: AbortSignal, limit = 8) {
  const params = new URLSearchParams({ q, limit: String(limit) });
  if (near) params.set('near', `${near[0].toFixed(5)},${near[1].toFixed(5)}`);
  return getJson<FeatureCollection<Point, PlaceProps>>('/api/places/search', params, signal).then((r) => r.features);
}

/** The nearest address and street (within 150 m) and the district at a point. */
export function reversePlace(at: [number, number], signal?: AbortSignal) {
  const params = new URLSearchParams({ lng: at[0].toFixed(6), lat: at[1].toFixed(6) });
  return getJson<Reverse>('/api/places/reverse', params, signal);
}

const nameIn = (names: Names, lang: Lang) => names[lang] || names.ru || names.kk || names.en || '';

/**
 * A place as an address field holds it: "street, house" for a building (the street as the
 * source writes it), else the place's name in the interface language.
 */
export function placeText(p: PlaceProps, lang: Lang): string {
  if (p.kind === 'address' && p.street) return p.housenumber ? `${p.street}, ${p.housenumber}` : p.street;
  return nameIn(p.name, lang);
}

/** What a reverse geocode puts in the address field: the building, else the street, else nothing. */
export function reverseText(r: Reverse, lang: Lang): string {
  if (r.address) return placeText(r.address.properties, lang);
  if (r.street) return placeText(r.street.properties, lang);
  return '';
}

/** True when any of the places comes from the demo gazetteer. */
export const anyDemo = (places: readonly (PlaceProps | null | undefined)[]) => places.some((p) => p?.source === DEMO_SOURCE);
