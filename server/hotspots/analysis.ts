/**
 * Hot spot analysis of counts on a grid of cells: Gi* over the whole period with FDR-controlled
 * classes, and the emerging pattern of each significant cell over time slices. Pure: the
 * database supplies the cells and their counts (queries.ts), this turns them into statistics.
 */
import { benjaminiHochberg, classify, type HotspotClass, LEVELS } from './fdr.ts';
import { countSkewness, giStar, neighboursWithin, skewCorrected, twoSidedP } from './gistar.ts';
import { cellsInRings } from './hexgrid.ts';
import { emergingTrend, type Trend } from './trend.ts';

export interface CellCounts {
  /** Centre in the metric plane (metres). */
  x: number;
  y: number;
  /** Appeals in the cell over the whole period. */
  count: number;
  /** Appeals in the cell per time slice, oldest first (they sum to `count`). */
  slices: readonly number[];
  /** Residents in the cell (district populations spread by area); null where unknown. */
  population?: number | null;
}

export interface AnalysisOptions {
  /** Distance band in metres: cells whose centres are this close are neighbours. */
  band: number;
  /** Test appeals per 10,000 residents instead of counts; cells without residents are left out. */
  perCapita?: boolean;
  /**
   * Read each z-score against the normal distribution after correcting it for the skewness of
   * its neighbourhood sum (default true; see skewCorrected). False gives the textbook p-values
   * of Ord & Getis, which overstate significance for sparse counts.
   */
  skewCorrection?: boolean;
}

export interface CellResult {
  /** The value tested: the count, or appeals per 10,000 residents. */
  value: number | null;
  z: number | null;
  p: number | null;
  pAdjusted: number | null;
  class: HotspotClass;
  trend: Trend | null;
  /** Gi* z-score per slice (null for a cell left out). */
  sliceZ: number[] | null;
  /** Cells within the band, the cell included. */
  neighbours: number;
  /** Appeals in those cells: the sum Gi* weighs against the city's mean (null for a cell left out). */
  neighbourhoodCount: number | null;
}

/** Slices within which a cell counts as significant: FDR-adjusted p at most this. */
export const SLICE_ALPHA = LEVELS[LEVELS.length - 1].alpha;

const per10k = (count: number, population: number | null | undefined) =>
  population && population > 0 ? (count / population) * 10_000 : null;

/**
 * Runs the analysis. Cells with a null value (no residents, when per capita) take no part:
 * they get class 'ns' and null statistics, and are nobody's neighbours.
 */
export function analyseCells(cells: readonly CellCounts[], opts: AnalysisOptions): CellResult[] {
  const values = cells.map((c) => (opts.perCapita ? per10k(c.count, c.population) : c.count));
  const inStudy = cells.map((_, i) => i).filter((i) => values[i] !== null);
  const nb = neighboursWithin(
    inStudy.map((i) => cells[i]),
    opts.band,
  );
  // The skewness is that of the appeals' counts, per capita too (rates are counts scaled by
  // residents, which change slowly from cell to cell).
  const pValues = (zs: Float64Array, appeals: number) => {
    if (opts.skewCorrection === false) return Array.from(zs, twoSidedP);
    return Array.from(zs, (zi, s) => twoSidedP(skewCorrected(zi, countSkewness(appeals, nb[s].length, inStudy.length))));
  };
  const total = (t?: number) => inStudy.reduce((a, i) => a + (t === undefined ? cells[i].count : cells[i].slices[t]), 0);
  const z = giStar(
    inStudy.map((i) => values[i]!),
    nb,
  );
  const p = pValues(z, total());
  const q = benjaminiHochberg(p);

  // Per slice: Gi* of that slice's values and its own FDR adjustment across the cells.
  const k = cells[0]?.slices.length ?? 0;
  const sliceZ: Float64Array[] = [];
  const sliceQ: Float64Array[] = [];
  const sliceShare: Float64Array[] = [];
  for (let t = 0; t < k; t++) {
    const v = inStudy.map((i) => (opts.perCapita ? per10k(cells[i].slices[t], cells[i].population)! : cells[i].slices[t]));
    const zt = giStar(v, nb);
    sliceZ.push(zt);
    sliceQ.push(benjaminiHochberg(pValues(zt, total(t))));
    const sum = v.reduce((a, b) => a + b, 0);
    sliceShare.push(Float64Array.from(nb, (list) => (sum > 0 ? list.reduce((a, j) => a + v[j], 0) / sum : 0)));
  }

  const out: CellResult[] = cells.map((_, i) => ({
    value: values[i],
    z: null,
    p: null,
    pAdjusted: null,
    class: 'ns',
    trend: null,
    sliceZ: null,
    neighbours: 0,
    neighbourhoodCount: null,
  }));
  inStudy.forEach((cell, s) => {
    const cls = classify(z[s], q[s]);
    const direction = z[s] >= 0 ? 1 : -1;
    const series = sliceZ.map((zt) => zt[s]);
    out[cell] = {
      value: values[cell],
      z: z[s],
      p: p[s],
      pAdjusted: q[s],
      class: cls,
      trend:
        cls === 'ns'
          ? null
          : emergingTrend({
              direction,
              sliceIntensity: sliceShare.map((share) => share[s]),
              sliceSignificant: sliceZ.map((zt, t) => Math.sign(zt[s]) === direction && sliceQ[t][s] <= SLICE_ALPHA),
            }),
      sliceZ: series,
      neighbours: nb[s].length,
      neighbourhoodCount: nb[s].reduce((a, j) => a + cells[inStudy[j]].count, 0),
    };
  });
  return out;
}

/** Below this many appeals expected in a neighbourhood, the normal approximation of Gi* is poor. */
export const MIN_EXPECTED_PER_NEIGHBOURHOOD = 8;
/** The automatic band grows to at most this many rings of cells. */
export const MAX_AUTO_RINGS = 5;

/**
 * The default distance band: the smallest whole number of rings of hexagons (band = rings ×
 * spacing) whose neighbourhood expects at least MIN_EXPECTED_PER_NEIGHBOURHOOD appeals at the
 * city's mean density, from one ring (7 cells) to MAX_AUTO_RINGS (91 cells). Gi* is read
 * against the normal distribution; a neighbourhood that expects only one or two appeals has a
 * skewed sum and gives false hot spots, so sparse data gets a wider band (as Esri's Optimized
 * Hot Spot Analysis does). `sparse` says the widest band still expects too few.
 */
export function autoBand(spacing: number, appeals: number, cells: number): { band: number; rings: number; sparse: boolean } {
  const mean = cells > 0 ? appeals / cells : 0;
  for (let rings = 1; rings <= MAX_AUTO_RINGS; rings++) {
    if (mean * cellsInRings(rings) >= MIN_EXPECTED_PER_NEIGHBOURHOOD) return { band: rings * spacing, rings, sparse: false };
  }
  return { band: MAX_AUTO_RINGS * spacing, rings: MAX_AUTO_RINGS, sparse: true };
}
