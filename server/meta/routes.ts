import { Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';
import { STATUSES } from '../domain/statuses.ts';
import { CHANNELS, INCIDENT_TYPES } from '../incidents/filters.ts';
import { readMeta } from './queries.ts';
import type { Meta } from '../contract/platform.ts';

/** The city, its reference lists and the enums: everything a client needs to draw its forms. */
export function metaRoutes({ pool, config }: Deps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const meta = await readMeta(pool);
    return c.json({
      city: {
        // The pack's settings, checked when the pack is loaded (server/geodata).
        ...(meta.city as Meta['city']),
        bounds: (meta.extent ?? meta.city.bounds ?? null) as Meta['city']['bounds'],
        basemapUrl: config.JARDEM_BASEMAP_URL ?? null,
      },
      enums: { types: INCIDENT_TYPES, channels: CHANNELS, statuses: STATUSES },
      categories: meta.categories.map(({ norm_hours, norm_working_days, duplicate_radius_m, ...r }) => ({
        ...r,
        norm: norm_hours ? { hours: norm_hours } : norm_working_days ? { workingDays: norm_working_days } : null,
        radiusM: duplicate_radius_m,
      })),
      services: meta.services,
      districts: meta.districts,
    } satisfies Meta);
  });
}
