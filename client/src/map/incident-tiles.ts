/**
 * The incident vector tiles as the map reads them (server/tiles): the tile URL with the
 * filters, and the attributes of the aggregated `cells` layer.
 */

/** The vector source every incident layer draws from. */
export const TILE_SOURCE = 'incidents';
/** Grid cells with counts, below the server's point zoom. */
export const CELL_LAYER = 'cells';
/** Every appeal, from the server's point zoom on. */
export const POINT_LAYER = 'incidents';
/** The server's deepest tile with its own content (POINT_MIN_ZOOM); deeper zooms reuse it. */
export const TILE_MAX_ZOOM = 15;

/**
 * The tiles URL template: absolute (MapLibre fetches tiles in a worker), the incident filters as
 * the API takes them, and `v`, the client's data version: a new value after a live change makes
 * browsers fetch the tiles again instead of using their copy (the server ignores it; its own
 * cache follows the database's change counter).
 */
export function incidentTilesUrl(origin: string, filters: string, version: number): string {
  const q = new URLSearchParams(filters);
  q.set('v', String(version));
  return `${origin}/tiles/incidents/{z}/{x}/{y}.mvt?${q.toString().replace(/%2C/g, ',')}`;
}

/** A cell's `mix` ("code:n,code:n", most first) as counts per sphere code; junk is skipped. */
export function parseMix(mix: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof mix !== 'string') return out;
  for (const part of mix.split(',')) {
    const [code, n] = part.split(':');
    const v = Number(n);
    if (code && Number.isFinite(v) && v > 0) out[code] = (out[code] ?? 0) + v;
  }
  return out;
}

/** The image id of a cell's ring: it names the mix, so the ring can be drawn from its id alone. */
export const RING_PREFIX = 'ring:';

/** What the loaded tiles hold in the viewport, for the legend and the heatmap's scale. */
export interface TileSummary {
  /** appeals per sphere code */
  spheres: Record<string, number>;
  /** the heaviest cell's heat weight (≥ 1) */
  maxCellWeight: number;
  /** the most appeals in one cell (≥ 1): the top of the heatmap's scale */
  maxCellCount: number;
  /** the heaviest single appeal's heat weight (≥ 1) */
  maxPointWeight: number;
}

export const EMPTY_SUMMARY: TileSummary = { spheres: {}, maxCellWeight: 1, maxCellCount: 1, maxPointWeight: 1 };

interface SummaryFeature {
  geometry: { type: string; coordinates?: unknown };
  properties: Record<string, unknown> | null;
}

/**
 * Sums the features of loaded tiles that lie in `bounds` [w, s, e, n]: cells by their mix,
 * appeals by their sphere (an appeal repeated in a neighbour tile's buffer counts once).
 */
export function summarize(cells: SummaryFeature[], points: SummaryFeature[], [w, s, e, n]: [number, number, number, number]): TileSummary {
  const inView = (f: SummaryFeature) => {
    if (f.geometry.type !== 'Point') return false;
    const [x, y] = f.geometry.coordinates as [number, number];
    return x >= w && x <= e && y >= s && y <= n;
  };
  const spheres: Record<string, number> = {};
  let maxCellWeight = 1;
  let maxCellCount = 1;
  let maxPointWeight = 1;
  for (const f of cells) {
    if (!inView(f)) continue;
    for (const [k, v] of Object.entries(parseMix(f.properties?.mix))) spheres[k] = (spheres[k] ?? 0) + v;
    maxCellWeight = Math.max(maxCellWeight, Number(f.properties?.weight) || 0);
    maxCellCount = Math.max(maxCellCount, Number(f.properties?.count) || 0);
  }
  const seen = new Set<unknown>();
  for (const f of points) {
    const id = f.properties?.id;
    if (!inView(f) || seen.has(id)) continue;
    seen.add(id);
    const sphere = f.properties?.sphere;
    if (typeof sphere === 'string') spheres[sphere] = (spheres[sphere] ?? 0) + 1;
    maxPointWeight = Math.max(maxPointWeight, Number(f.properties?.weight) || 0);
  }
  return { spheres, maxCellWeight, maxCellCount, maxPointWeight };
}
