import { getContext, setContext } from 'svelte';
import type { Map as MlMap } from 'maplibre-gl';

/**
 * Shared state of the one map: layer components read it from context and react to it.
 * `styleVersion` increases each time a style finishes loading (first load, or the fallback from
 * an online base map to the offline one, which drops every added layer); layers re-add
 * themselves when it changes.
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
  /** the styleVersion at which the incident tile source was added (0: not on the map) */
  incidentSource = $state(0);
}

const KEY = Symbol('map-state');
export const setMapState = (s: MapState) => setContext(KEY, s);
export const getMapState = () => getContext<MapState>(KEY);
