import maplibregl, { type StyleSpecification } from 'maplibre-gl';
import { Protocol } from 'pmtiles';

let registered = false;

/** Lets styles and sources use `pmtiles://https://.../file.pmtiles` (a single-file tile archive). */
export function registerPmtiles() {
  if (registered) return;
  registered = true;
  maplibregl.addProtocol('pmtiles', new Protocol().tile);
}

/**
 * The configured online base map as MapLibre takes it: a style URL as is, or a raster
 * `.pmtiles` archive wrapped in a one-layer style. (A vector archive needs a style of its own:
 * give that style's URL, with its sources pointing at `pmtiles://...`.)
 */
export function basemapStyle(url: string): string | StyleSpecification {
  if (!/\.pmtiles(\?|$)/.test(url)) return url;
  const archive = url.startsWith('pmtiles://') ? url : `pmtiles://${url}`;
  return {
    version: 8,
    name: 'jardem-pmtiles',
    sources: { basemap: { type: 'raster', url: archive, tileSize: 256 } },
    layers: [
      { id: 'base-background', type: 'background', paint: { 'background-color': '#e4e8ec' } },
      { id: 'basemap', type: 'raster', source: 'basemap' },
    ],
  };
}
