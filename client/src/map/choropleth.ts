/**
 * Class breaks and colours for the district choropleth. Sequential blues (ColorBrewer "Blues",
 * 5 classes): readable for every common colour-vision deficiency, and distinct from the heatmap's
 * yellow-orange-red so the two layers never read as one scale.
 */
export const CHOROPLETH_COLORS = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'] as const;
/** Fill for a district without a value (no population for a per-capita map). */
export const NO_DATA_COLOR = '#d9d9d9';

/**
 * Jenks natural breaks (Fisher's exact optimisation, O(k·n²)): the class boundaries that
 * minimise the spread inside classes. Districts are few (≤ a few dozen), so this is instant.
 * Returns the lower bound of classes 2..k as values taken from the data.
 */
export function naturalBreaks(sorted: number[], k: number): number[] {
  const n = sorted.length;
  k = Math.min(k, n);
  if (k < 2) return [];
  // cost[i][j]: best within-class squared deviation for the first j values in i classes
  const ssd = (a: number, b: number) => {
    // values a..b inclusive (0-based)
    let sum = 0;
    let sq = 0;
    for (let t = a; t <= b; t++) {
      sum += sorted[t];
      sq += sorted[t] * sorted[t];
    }
    return sq - (sum * sum) / (b - a + 1);
  };
  const cost = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(0));
  cost[0][0] = 0;
  for (let i = 1; i <= k; i++) {
    for (let j = i; j <= n; j++) {
      for (let m = i - 1; m < j; m++) {
        const c = cost[i - 1][m] + ssd(m, j - 1);
        if (c < cost[i][j]) {
          cost[i][j] = c;
          cut[i][j] = m;
        }
      }
    }
  }
  const starts: number[] = [];
  let j = n;
  for (let i = k; i >= 2; i--) {
    j = cut[i][j];
    starts.unshift(sorted[j]);
  }
  return starts;
}

/**
 * Up to `classes - 1` ascending thresholds (a value v belongs to class i when
 * breaks[i-1] ≤ v < breaks[i]): natural breaks, rounded to plain numbers for the legend.
 * Duplicates are merged, so few distinct values give fewer classes.
 */
export function classBreaks(values: number[], classes = CHOROPLETH_COLORS.length): number[] {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length < 2 || v[0] === v[v.length - 1]) return [];
  const distinct = new Set(v).size;
  const out: number[] = [];
  for (const raw of naturalBreaks(v, Math.min(classes, distinct))) {
    // round down so that the value that opens a class stays in it
    const b = niceFloor(raw);
    if (b > v[0] && (out.length === 0 || b > out[out.length - 1])) out.push(b);
  }
  return out;
}

/** Rounds down to 2 significant digits (1 234 → 1 200, 47 → 47, 10.83 → 10). */
export function niceFloor(x: number): number {
  if (x <= 0) return 0;
  const p = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.round(Math.floor(x / p + 1e-9) * p * 1e6) / 1e6;
}

/** The colours used for `breaks` (one more than the breaks), spread over the palette. */
export function classColors(breaks: number[]): string[] {
  const n = breaks.length + 1;
  if (n === 1) return [CHOROPLETH_COLORS[2]];
  return Array.from({ length: n }, (_, i) => CHOROPLETH_COLORS[Math.round((i * (CHOROPLETH_COLORS.length - 1)) / (n - 1))]);
}

/** Heatmap ramp, transparent at zero density (ColorBrewer YlOrRd). */
export const HEAT_COLORS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'] as const;

/** The heatmap's density at each of HEAT_COLORS[1..4] (map/layers/Heatmap.svelte). */
export const HEAT_STOPS = [0.25, 0.5, 0.75, 1] as const;

/**
 * The heat legend's scale: the appeals in a cell that reach each colour stop, given the fullest
 * cell in view (`max`). The map draws √(n / max), so a stop d is reached at n = d² × max.
 * Rounded, without repeats; 1 at least.
 */
export function heatScale(max: number): { at: number; n: number }[] {
  const out: { at: number; n: number }[] = [];
  for (const d of HEAT_STOPS) {
    const n = Math.max(1, Math.round(d * d * Math.max(1, max)));
    if (!out.some((t) => t.n === n)) out.push({ at: d, n });
  }
  return out;
}
