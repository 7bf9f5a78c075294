import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import type { DistrictCollection, Lang } from '../lib/api.ts';
import { BASE_FONT, BASE_FONT_BOLD } from './fonts.ts';

/**
 * The base map that needs no internet: the city's districts (from the API, already in the
 * browser) under the streets, buildings, water, parks, rail and place names of Jardem's own
 * vector tiles (`/tiles/basemap/…`, from the imported OpenStreetMap extract or the demo layout),
 * with glyphs and sprite served by Jardem too. Light for the control room and intake, dark for
 * the wall. Street widths and label sizes are set for z14–17 on a 1080p wall, where the wall
 * draws at 720 rows enlarged 1.5× (WallMap.svelte).
 */

export type BaseTheme = 'light' | 'dark';

/** The vector source of the base map; MapView counts it among its own sources. */
export const BASEMAP_SOURCE = 'jardem-basemap';

interface Palette {
  ground: string;
  land: string;
  outline: string;
  water: string;
  park: string;
  building: string;
  buildingLine: string;
  rail: string;
  major: string;
  majorCasing: string;
  street: string;
  streetCasing: string;
  minor: string;
  path: string;
  label: string;
  labelHalo: string;
  placeLabel: string;
}

const PALETTES: Record<BaseTheme, Palette> = {
  light: {
    ground: '#e4e8ec',
    land: '#f4f4f1',
    outline: '#8a96a3',
    water: '#aecfe6',
    park: '#d8ebcd',
    building: '#e3dfd8',
    buildingLine: '#cfc8bd',
    rail: '#9aa3ad',
    major: '#fbe3a7',
    majorCasing: '#d4a94f',
    street: '#ffffff',
    streetCasing: '#c2cad3',
    minor: '#ffffff',
    path: '#b7a998',
    label: '#2b3440',
    labelHalo: 'rgba(255, 255, 255, 0.95)',
    placeLabel: '#4a5563',
  },
  // The wall: a dark ground so that the heatmap and the alert markers carry the colour.
  dark: {
    ground: '#0a1020',
    land: '#162139',
    outline: '#3d4d6b',
    water: '#123150',
    park: '#173327',
    building: '#1f2c47',
    buildingLine: '#2a3a5c',
    rail: '#4d5b78',
    major: '#7487a8',
    majorCasing: '#0a1020',
    street: '#4f6184',
    streetCasing: '#0d1527',
    minor: '#3b4a68',
    path: '#3b4a68',
    label: '#e2e8f0',
    labelHalo: 'rgba(10, 16, 32, 0.92)',
    placeLabel: '#cbd5e1',
  },
};

/** A label in the interface's language, else Russian, else the local name. */
export function labelText(lang: Lang): ExpressionSpecification {
  return ['coalesce', ['get', `name_${lang}`], ['get', 'name_ru'], ['get', 'name']];
}

/** The base map's label layers, whose text follows the interface's language (MapView). */
export const BASEMAP_LABEL_LAYERS = ['base-road-labels', 'base-major-labels', 'base-place-labels'] as const;

const MAJOR = ['motorway', 'trunk', 'primary', 'motorway_link', 'trunk_link', 'primary_link'];
const STREET = ['secondary', 'tertiary', 'secondary_link', 'tertiary_link'];
const MINOR = ['residential', 'unclassified', 'living_street', 'road'];
const SERVICE = ['service', 'pedestrian', 'track'];
const PATH = ['footway', 'path', 'cycleway', 'steps'];

const inClasses = (classes: string[]): ExpressionSpecification => ['in', ['get', 'class'], ['literal', classes]];
/** A width growing exponentially with the zoom between stops [zoom, px, zoom, px, …]. */
const width = (stops: number[]): ExpressionSpecification =>
  ['interpolate', ['exponential', 1.6], ['zoom'], ...stops] as ExpressionSpecification;
/** The casing's stops: the road's width and an edge of 0.5 px at z12 growing to 2.5 px at z16. */
const casing = (stops: number[]): ExpressionSpecification =>
  width(stops.map((v, i) => (i % 2 ? v + Math.min(2.5, Math.max(0.5, 0.5 + (stops[i - 1] - 12) * 0.5)) : v)));

/** Width stops in CSS pixels: each street class is clearly apart from the next at z14–17. */
const WIDTH = {
  major: [8, 1, 12, 2.5, 14, 6, 16, 13, 18, 34],
  street: [10, 0.8, 12, 1.6, 14, 4.5, 16, 10, 18, 26],
  minor: [13, 1, 14, 2.5, 16, 6.5, 18, 18],
  service: [14, 0.8, 16, 3, 18, 8],
  path: [15, 0.8, 18, 2],
};

function roadLayers(p: Palette): LayerSpecification[] {
  const line = (id: string, classes: string[], color: string, w: ExpressionSpecification, minzoom: number, extra: object = {}) =>
    ({
      id,
      type: 'line',
      source: BASEMAP_SOURCE,
      'source-layer': 'roads',
      minzoom,
      filter: inClasses(classes),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': color, 'line-width': w, ...extra },
    }) as LayerSpecification;
  return [
    line('base-path', PATH, p.path, width(WIDTH.path), 15, { 'line-dasharray': [2, 1.5] }),
    line('base-service', SERVICE, p.minor, width(WIDTH.service), 14),
    line('base-minor-casing', MINOR, p.streetCasing, casing(WIDTH.minor), 13),
    line('base-street-casing', STREET, p.streetCasing, casing(WIDTH.street), 12),
    line('base-major-casing', MAJOR, p.majorCasing, casing(WIDTH.major), 11),
    line('base-minor', MINOR, p.minor, width(WIDTH.minor), 13),
    line('base-street', STREET, p.street, width(WIDTH.street), 10),
    line('base-major', MAJOR, p.major, width(WIDTH.major), 6),
  ];
}

function labelLayers(p: Palette, lang: Lang): LayerSpecification[] {
  const roadLabel = (id: string, classes: string[], minzoom: number, font: string[], size: ExpressionSpecification) =>
    ({
      id,
      type: 'symbol',
      source: BASEMAP_SOURCE,
      'source-layer': 'roads',
      minzoom,
      filter: ['all', inClasses(classes), ['has', 'name']],
      layout: {
        'symbol-placement': 'line',
        'symbol-spacing': 350,
        'text-field': labelText(lang),
        'text-font': font,
        'text-size': size,
        'text-max-angle': 30,
        'text-padding': 6,
        'text-letter-spacing': 0.02,
      },
      paint: { 'text-color': p.label, 'text-halo-color': p.labelHalo, 'text-halo-width': 2, 'text-halo-blur': 0.5 },
    }) as LayerSpecification;
  return [
    roadLabel('base-road-labels', [...STREET, ...MINOR, ...SERVICE], 14, BASE_FONT, [
      'interpolate',
      ['linear'],
      ['zoom'],
      14,
      11,
      16,
      13,
      18,
      15,
    ]),
    roadLabel('base-major-labels', MAJOR, 13, BASE_FONT_BOLD, ['interpolate', ['linear'], ['zoom'], 13, 11, 16, 14, 18, 16]),
    {
      id: 'base-place-labels',
      type: 'symbol',
      source: BASEMAP_SOURCE,
      'source-layer': 'places',
      minzoom: 11,
      layout: {
        'text-field': labelText(lang),
        'text-font': BASE_FONT_BOLD,
        'text-size': ['interpolate', ['linear'], ['zoom'], 11, 11, 16, 15],
        'text-max-width': 8,
        'text-padding': 8,
        'icon-image': 'place-dot',
        'icon-size': 0.8,
        'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
        'text-radial-offset': 0.7,
      },
      paint: { 'text-color': p.placeLabel, 'text-halo-color': p.labelHalo, 'text-halo-width': 2 },
    },
  ];
}

export interface OfflineStyleOptions {
  /** The interface's language: labels in it, else Russian, else the local name. */
  lang: Lang;
  theme?: BaseTheme;
  /** Where Jardem is served (tile, glyph and sprite URLs must be absolute for MapLibre's workers). */
  origin?: string;
}

export function offlineStyle(
  districts: DistrictCollection,
  { lang, theme = 'light', origin = location.origin }: OfflineStyleOptions,
): StyleSpecification {
  const p = PALETTES[theme];
  const shapes = {
    type: 'FeatureCollection' as const,
    features: districts.features.map((f) => ({ type: 'Feature' as const, geometry: f.geometry, properties: { code: f.properties.code } })),
  };
  return {
    version: 8,
    name: `jardem-offline-${theme}`,
    glyphs: `${origin}/tiles/basemap/fonts/{fontstack}/{range}.pbf`,
    sprite: `${origin}/tiles/basemap/sprite`,
    sources: {
      'base-districts': { type: 'geojson', data: shapes },
      [BASEMAP_SOURCE]: { type: 'vector', tiles: [`${origin}/tiles/basemap/{z}/{x}/{y}.mvt`], minzoom: 6, maxzoom: 16 },
    },
    layers: [
      { id: 'base-background', type: 'background', paint: { 'background-color': p.ground } },
      { id: 'base-land', type: 'fill', source: 'base-districts', paint: { 'fill-color': p.land } },
      { id: 'base-park', type: 'fill', source: BASEMAP_SOURCE, 'source-layer': 'parks', paint: { 'fill-color': p.park } },
      {
        id: 'base-water',
        type: 'fill',
        source: BASEMAP_SOURCE,
        'source-layer': 'water',
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': p.water },
      },
      {
        id: 'base-waterway',
        type: 'line',
        source: BASEMAP_SOURCE,
        'source-layer': 'water',
        filter: ['==', ['geometry-type'], 'LineString'],
        paint: { 'line-color': p.water, 'line-width': width([10, 1, 16, 6]) },
      },
      {
        id: 'base-building',
        type: 'fill',
        source: BASEMAP_SOURCE,
        'source-layer': 'buildings',
        minzoom: 14,
        paint: {
          'fill-color': p.building,
          'fill-outline-color': p.buildingLine,
          'fill-opacity': ['interpolate', ['linear'], ['zoom'], 14, 0.4, 15.5, 1],
        },
      },
      {
        id: 'base-rail',
        type: 'line',
        source: BASEMAP_SOURCE,
        'source-layer': 'rail',
        paint: { 'line-color': p.rail, 'line-width': width([11, 1, 16, 2.5]), 'line-dasharray': [3, 2] },
      },
      ...roadLayers(p),
      { id: 'base-outline', type: 'line', source: 'base-districts', paint: { 'line-color': p.outline, 'line-width': 1 } },
      ...labelLayers(p, lang),
    ],
  };
}
