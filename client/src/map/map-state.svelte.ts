import { getContext, setContext } from 'svelte';
import type { Map as MlMap } from 'maplibre-gl';

/**
 * Shared state of the one map: layer components read it from context and react to it.
 * `styleVersion` increases each time a style finishes loading (first load, or the fallback from
 * an online base map to the offline one, which drops every added source and layer); sources and
 * layers re-add themselves when it changes.
 */
export class MapState {
  map = $state.raw<MlMap | null>(null);
  loaded = $state(false);
  styleVersion = $state(0);
  /** fractional zoom after the last move */
  zoom = $state(0);
  /** [west, south, east, north] of the viewport after the last move */
  bounds = $state.raw<[number, number, number, number] | null>(null);
  /** true when the configured online base map failed and the offline one is shown */
  offline = $state(false);
  /** What the offline base map draws (/tiles/basemap.json): OpenStreetMap's attribution, and whether the demo's synthetic streets */
  basemapInfo = $state.raw<{ attribution: string | null; demo: boolean } | null>(null);
  /**
   * The styleVersion at which each source was added, by source id (absent: not on the map). A
   * layer is added once its source's entry equals the current styleVersion.
   */
  sources = $state<Record<string, number>>({});

  /** True when `source` is on the map's current style. */
  hasSource(source: string): boolean {
    return this.styleVersion > 0 && this.sources[source] === this.styleVersion;
  }
}

const KEY = Symbol('map-state');
export const setMapState = (s: MapState) => setContext(KEY, s);
export const getMapState = () => getContext<MapState>(KEY);
