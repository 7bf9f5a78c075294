import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { validQuery } from '../validate.ts';
import { parseQuery } from './normalise.ts';
import { reverseGeocode, searchPlaces, type LngLat } from './queries.ts';

const lng = z.coerce.number().min(-180).max(180);
const lat = z.coerce.number().min(-90).max(90);

/** `near=lng,lat` in EPSG:4326. */
const lngLat = z
  .string()
  .regex(/^-?\d{1,3}(\.\d+)?,-?\d{1,2}(\.\d+)?$/, 'near must be lng,lat in degrees, e.g. 71.37,42.9')
  .transform((s) => s.split(',').map(Number) as LngLat)
  .refine(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 90, 'near must be lng,lat within [-180,180] and [-90,90]');

export const PlaceSearchSchema = z.strictObject({
  q: z.string().trim().min(1).max(200),
  near: lngLat.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const PlaceReverseSchema = z.strictObject({ lng, lat });

/**
 * The geocoder. Public like the map it serves: the gazetteer is OpenStreetMap, a city register
 * or demo streets — no personal data. Not cached: the answers are small and quick, and the
 * keys (typed text) rarely repeat; the browser may keep an answer for a minute.
 */
/** FeatureCollections: served as the GeoJSON media type they are documented with (RFC 7946). */
const GEOJSON = { 'Content-Type': 'application/geo+json; charset=UTF-8' };

export function placeRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/search', validQuery(PlaceSearchSchema), async (c) => {
      const { q, near, limit } = c.req.valid('query');
      const features = await searchPlaces(pool, parseQuery(q), { near, limit });
      c.header('Cache-Control', 'public, max-age=60');
      return c.json({ type: 'FeatureCollection', features }, 200, GEOJSON);
    })
    .get('/reverse', validQuery(PlaceReverseSchema), async (c) => {
      const { lng, lat } = c.req.valid('query');
      const r = await reverseGeocode(pool, [lng, lat]);
      c.header('Cache-Control', 'public, max-age=60');
      return c.json(
        {
          type: 'FeatureCollection',
          features: [r.address, r.street].filter(Boolean),
          address: r.address ?? null,
          street: r.street ?? null,
          district: r.district ?? null,
        },
        200,
        GEOJSON,
      );
    });
}
