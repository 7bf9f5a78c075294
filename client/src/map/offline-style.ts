import type { StyleSpecification } from 'maplibre-gl';
import type { DistrictCollection } from '../lib/api.ts';

/** Colours of the offline base map: a plain, light ground so that data layers carry the colour. */
export const BASE_COLORS = { ground: '#e4e8ec', land: '#f7f7f5', outline: '#8a96a3' };

/**
 * A base map that needs no internet: a plain background and the city's districts (from the
 * API, already in the browser). No `glyphs`: labels are drawn with local fonts.
 */
export function offlineStyle(districts: DistrictCollection): StyleSpecification {
  const shapes = {
    type: 'FeatureCollection' as const,
    features: districts.features.map((f) => ({ type: 'Feature' as const, geometry: f.geometry, properties: { code: f.properties.code } })),
  };
  return {
    version: 8,
    name: 'jardem-offline',
    sources: { 'base-districts': { type: 'geojson', data: shapes } },
    layers: [
      { id: 'base-background', type: 'background', paint: { 'background-color': BASE_COLORS.ground } },
      { id: 'base-land', type: 'fill', source: 'base-districts', paint: { 'fill-color': BASE_COLORS.land } },
      { id: 'base-outline', type: 'line', source: 'base-districts', paint: { 'line-color': BASE_COLORS.outline, 'line-width': 1 } },
    ],
  };
}
