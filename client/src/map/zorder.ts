import type { Map as MlMap } from 'maplibre-gl';

/**
 * The one draw order of Jardem's own layers, bottom to top. Base map layers (offline or online)
 * are always below all of these. Every layer component adds its layers with
 * `beforeId(map, id)`, so the order holds whatever order the components mount in.
 */
export const LAYER_ORDER = [
  'choropleth-fill',
  'heatmap',
  'heatmap-points',
  'hotspot-fill',
  'hotspot-outline',
  'choropleth-outline',
  // a supervisor's own districts, outlined dashed
  'district-mine-outline',
  'district-selected-outline',
  // h-outages: outages and planned works (over the districts, under the appeals)
  'outage-fill',
  'outage-outline',
  'outage-outline-planned',
  // h-outage-ui: the area being drawn on the outage register's map
  'outage-draft-fill',
  'outage-draft-line',
  'outage-draft-vertices',
  'singles-halo',
  'singles',
  'incident-points-halo',
  'incident-points',
  // an executor's work list on the map
  'work-points-halo',
  'work-points',
  // labels sit under the rings but are placed after them, so they move out of the rings' way
  'district-labels',
  'cluster-rings',
  'selected-incident-halo',
  'selected-incident',
] as const;

export type LayerId = (typeof LAYER_ORDER)[number];

/** The id of the first layer above `id` that is already on the map (undefined: add on top). */
export function beforeId(map: MlMap, id: string): string | undefined {
  const i = (LAYER_ORDER as readonly string[]).indexOf(id);
  if (i < 0) throw new Error(`Layer "${id}" is not in the draw order (client/src/map/zorder.ts); add it there first.`);
  for (const above of LAYER_ORDER.slice(i + 1)) if (map.getLayer(above)) return above;
  return undefined;
}
