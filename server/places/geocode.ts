/**
 * One place for a typed address, when the geocoder is confident enough to place an appeal there
 * without a person looking (Open311 `address_string`, later the bots): the top hit must be the
 * address itself (exact house number, or the same number with another letter), a crossing of
 * two well-matched streets, or — when no house number was typed — a street matched closely.
 */
import type pg from 'pg';
import { parseQuery } from './normalise.ts';
import { placeById, searchPlaces, type LngLat } from './queries.ts';

/** Minimum scores (queries.ts: name similarity 0..1 plus 0.6 for the exact house, 0.3 for the same number). */
const CONFIDENT = { address: 1.2, intersection: 1.0, street: 0.8 } as const;

export interface Geocoded {
  point: LngLat;
  kind: 'address' | 'intersection' | 'street' | 'place' | 'poi' | 'district';
  label: string;
}

interface Hit {
  geometry: { coordinates: LngLat };
  properties: { kind: Geocoded['kind']; score: number; street: string | null; housenumber: string | null; name: { ru: string | null } };
}

/** The confident place for a typed address, or null. */
export async function geocodeText(pool: pg.Pool, text: string, near?: LngLat): Promise<Geocoded | null> {
  const q = parseQuery(text);
  const [top] = (await searchPlaces(pool, q, { near, limit: 1 })) as Hit[];
  if (!top) return null;
  const { kind, score } = top.properties;
  const typedHouse = q.kind === 'address' && q.house !== null;
  const ok =
    (kind === 'address' && score >= CONFIDENT.address) ||
    (kind === 'intersection' && score >= CONFIDENT.intersection) ||
    (kind === 'street' && !typedHouse && score >= CONFIDENT.street);
  if (!ok) return null;
  const label =
    kind === 'address' ? [top.properties.street, top.properties.housenumber].filter(Boolean).join(', ') : (top.properties.name.ru ?? text);
  return { point: top.geometry.coordinates, kind, label };
}

/** A place chosen by id (from a search answer). */
export async function geocodeId(pool: pg.Pool, id: number): Promise<Geocoded | null> {
  const p = await placeById(pool, id);
  return p ? { point: [p.lng, p.lat], kind: p.kind as Geocoded['kind'], label: p.label } : null;
}
