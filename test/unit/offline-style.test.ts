import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { BASEMAP_LABEL_LAYERS, labelText, offlineStyle } from '../../client/src/map/offline-style.ts';

const districts = { type: 'FeatureCollection' as const, features: [] };

describe('the offline base map styles', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`${theme}: a valid MapLibre style whose tiles, glyphs and sprite are Jardem's own`, () => {
      const style = offlineStyle(districts, { lang: 'kk', theme, origin: 'http://jardem.test' });
      expect(validateStyleMin(style as never).map((e) => e.message)).toEqual([]);
      expect(style.glyphs).toBe('http://jardem.test/tiles/basemap/fonts/{fontstack}/{range}.pbf');
      expect(style.sprite).toBe('http://jardem.test/tiles/basemap/sprite');
      const sources = Object.values(style.sources);
      expect(sources.some((s) => s.type === 'vector' && s.tiles?.[0] === 'http://jardem.test/tiles/basemap/{z}/{x}/{y}.mvt')).toBe(true);
      // Nothing from anywhere else.
      expect(JSON.stringify(style)).not.toMatch(/https?:\/\/(?!jardem\.test)/);
    });
  }

  it('labels in the interface language, else Russian, else the local name', () => {
    const style = offlineStyle(districts, { lang: 'en', origin: 'http://jardem.test' });
    for (const id of BASEMAP_LABEL_LAYERS) {
      const layer = style.layers.find((l) => l.id === id) as { layout: Record<string, unknown> };
      expect(layer.layout['text-field']).toEqual(['coalesce', ['get', 'name_en'], ['get', 'name_ru'], ['get', 'name']]);
    }
    expect(labelText('kk')).toEqual(['coalesce', ['get', 'name_kk'], ['get', 'name_ru'], ['get', 'name']]);
  });
});
