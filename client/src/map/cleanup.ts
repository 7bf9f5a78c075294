import type { Map as MlMap } from 'maplibre-gl';

/**
 * Removes layers, then sources, if the map still has them. Safe after a style swap (they are
 * already gone) and while the map itself is being removed.
 */
export function removeAll(map: MlMap, layers: string[], sources: string[]) {
  try {
    if (!map.style) return;
    for (const id of layers) if (map.getLayer(id)) map.removeLayer(id);
    for (const id of sources) if (map.getSource(id)) map.removeSource(id);
  } catch {
    // the map is gone
  }
}
