/**
 * GET /api/hotspots: the grid, the counts and the statistics put together into a GeoJSON
 * FeatureCollection of hexagons (docs/api-hotspots.md has the shape).
 */
import { type Catalog, idsForCodes } from '../catalog.ts';
import { badRequest } from '../errors.ts';
import type { IncidentFilter } from '../incidents/filters.ts';
import { getLabels } from '../stats/labels.ts';
import type { Queryable } from '../stats/rollup.ts';
import { analyseCells, autoBand, MIN_EXPECTED_PER_NEIGHBOURHOOD } from './analysis.ts';
import { type HotspotClass, LEVELS } from './fdr.ts';
import { hexArea, hexCentre, hexSizeForSpacing } from './hexgrid.ts';
import { cachedHexGrid, countPerCell, getFrame, studyAreaM2 } from './queries.ts';
import { TREND_RULES, type Trend } from './trend.ts';

/** The most cells one request may analyse. */
export const MAX_CELLS = 10_000;

export interface HotspotOptions {
  filter: IncidentFilter;
  from: string;
  to: string;
  /** distance between the centres of neighbouring hexagons, metres */
  cell: number;
  /** distance band, metres; absent: automatic (analysis.ts autoBand) */
  band?: number;
  /** time slices of the period; absent: about a week each, 4 to 12 */
  slices?: number;
  normalize: 'none' | 'population';
  skewCorrection: boolean;
  include: 'all' | 'significant';
}

const DAY_MS = 86_400_000;
const sig = (v: number | null, digits: number) => (v === null ? null : Number(v.toPrecision(digits)));
const fixed = (v: number | null, digits: number) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

export async function hotspots(pool: Queryable, catalog: Catalog, o: HotspotOptions) {
  const frame = await getFrame(pool);
  const area = {
    districtIds: o.filter.district?.length ? idsForCodes(catalog.districts, o.filter.district, 'district') : undefined,
    bbox: o.filter.bbox,
  };
  const areaM2 = await studyAreaM2(pool, frame, area);
  // Cells touching the area: its own area in hexagons plus a ring along its outline, roughly.
  const estimate = areaM2 / hexArea(o.cell);
  if (estimate > MAX_CELLS) {
    throw badRequest(
      `Too many cells: about ${Math.round(estimate)} of ${o.cell} m (at most ${MAX_CELLS}); use a larger cell or a smaller area.`,
      [{ path: 'cell', message: `at least ${Math.ceil(Math.sqrt(areaM2 / MAX_CELLS / (Math.sqrt(3) / 2)))} m for this area` }],
    );
  }
  const days = (Date.parse(o.to) - Date.parse(o.from)) / DAY_MS;
  const slices = o.slices ?? Math.min(12, Math.max(TREND_RULES.minSlices, Math.round(days / 7)));
  const size = hexSizeForSpacing(o.cell) * frame.scale;

  const [grid, counts, labels] = await Promise.all([
    cachedHexGrid(pool, frame, area, size, o.normalize === 'population'),
    countPerCell(pool, catalog, frame, o.filter, { from: o.from, to: o.to, slices }, size),
    getLabels(pool),
  ]);
  if (o.normalize === 'population' && !grid.some((g) => (g.population ?? 0) > 0)) {
    throw badRequest('No district of the study area has a known population: counts cannot be normalised per capita.', [
      { path: 'normalize', message: 'no population known' },
    ]);
  }

  const index = new Map(grid.map((g, k) => [`${g.i}:${g.j}`, k]));
  const cells = grid.map((g) => ({
    ...hexCentre(g.i, g.j, size),
    count: 0,
    slices: new Array<number>(slices).fill(0),
    population: g.population,
  }));
  const top = grid.map((): { code: string; count: number }[] => []);
  let outside = 0;
  for (const r of counts.slices) {
    const k = index.get(`${r.i}:${r.j}`);
    if (k === undefined) {
      outside += r.n;
      continue;
    }
    cells[k].count += r.n;
    cells[k].slices[r.slice] += r.n;
  }
  for (const r of counts.top) {
    const k = index.get(`${r.i}:${r.j}`);
    if (k !== undefined) top[k].push({ code: labels.categories.get(r.category_id)?.code ?? String(r.category_id), count: r.n });
  }
  const appeals = cells.reduce((a, c) => a + c.count, 0);
  const auto = autoBand(o.cell, appeals, cells.length);
  const band = o.band ?? auto.band;
  const results = analyseCells(cells, {
    band: band * frame.scale,
    perCapita: o.normalize === 'population',
    skewCorrection: o.skewCorrection,
  });

  const classes: Record<HotspotClass, number> = { hot99: 0, hot95: 0, hot90: 0, cold99: 0, cold95: 0, cold90: 0, ns: 0 };
  const trends: Record<Trend, number> = { new: 0, intensifying: 0, persistent: 0, diminishing: 0, sporadic: 0 };
  for (const r of results) {
    classes[r.class]++;
    if (r.trend) trends[r.trend]++;
  }
  const warnings: string[] = [];
  const expected = cells.length ? (appeals / cells.length) * (results.reduce((a, r) => a + r.neighbours, 0) / cells.length) : 0;
  if (expected < MIN_EXPECTED_PER_NEIGHBOURHOOD) {
    warnings.push(
      `sparse: a neighbourhood expects ${expected.toFixed(1)} appeals (fewer than ${MIN_EXPECTED_PER_NEIGHBOURHOOD}); few cells can reach significance — widen the period, the band or the filter`,
    );
  }
  if (slices < TREND_RULES.minSlices) warnings.push(`no trends: fewer than ${TREND_RULES.minSlices} time slices`);

  const features = grid
    .map((g, k) => {
      const r = results[k];
      return {
        type: 'Feature' as const,
        id: `${g.i}:${g.j}`,
        geometry: g.geometry,
        properties: {
          id: `${g.i}:${g.j}`,
          count: cells[k].count,
          // the cell with its neighbours within the band: what the z-score compares with the city
          neighbours: r.neighbours,
          neighbourhood_count: r.neighbourhoodCount,
          ...(o.normalize === 'population' ? { population: fixed(g.population, 0), rate: fixed(r.value, 3) } : {}),
          z: fixed(r.z, 4),
          p: sig(r.p, 4),
          p_adjusted: sig(r.pAdjusted, 4),
          class: r.class,
          trend: r.trend,
          series: cells[k].slices,
          district: g.district,
          top_categories: top[k],
        },
      };
    })
    .filter((f) => o.include === 'all' || f.properties.class !== 'ns');

  return {
    type: 'FeatureCollection' as const,
    parameters: {
      from: o.from,
      to: o.to,
      cell: o.cell,
      band,
      band_auto: o.band === undefined,
      slices,
      slice_days: fixed(days / slices, 3),
      normalize: o.normalize,
      skew_correction: o.skewCorrection,
      srid: frame.srid,
      hexagon_edge_m: fixed(hexSizeForSpacing(o.cell), 2),
      confidence: LEVELS.map((l) => ({ class: l.confidence, fdr: l.alpha })),
    },
    summary: {
      cells: cells.length,
      appeals,
      appeals_outside: outside,
      mean_per_cell: fixed(cells.length ? appeals / cells.length : 0, 4),
      classes,
      trends,
      warnings,
    },
    features,
  };
}
