/**
 * A local stand-in for a map projection: (lng, lat) → (x, y) in metres as a cubic polynomial
 * in the offsets from a centre, fitted to points PostGIS projected exactly. Within a city
 * (tens of kilometres) a transverse Mercator projection is smooth enough that a cubic is off
 * by hundredths of a millimetre (measured over Taraz: 0.011 mm; a quadratic: 5 mm), while SQL
 * arithmetic costs a fraction of a per-point ST_Transform (and keeps the query's estimated
 * cost low enough that PostgreSQL does not spend 100 ms compiling it with JIT). Pure functions.
 */

/** The ten monomials of degree ≤ 3 in u, v: 1, u, v, u², uv, v², u³, u²v, uv², v³. */
export function cubicTerms(u: number, v: number): number[] {
  return [1, u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v];
}

export interface CubicFit {
  /** centre of the fit, degrees: u = lng − lng0, v = lat − lat0 */
  lng0: number;
  lat0: number;
  /** coefficients of cubicTerms for x and for y */
  cx: number[];
  cy: number[];
}

/** Solves the normal equations AᵀA c = Aᵀt by Gaussian elimination with partial pivoting. */
function leastSquares(rows: number[][], target: number[]): number[] {
  const m = rows[0].length;
  const M = Array.from({ length: m }, (_, i) => [
    ...Array.from({ length: m }, (_, j) => rows.reduce((s, r) => s + r[i] * r[j], 0)),
    rows.reduce((s, r, k) => s + r[i] * target[k], 0),
  ]);
  for (let i = 0; i < m; i++) {
    let p = i;
    for (let r = i + 1; r < m; r++) if (Math.abs(M[r][i]) > Math.abs(M[p][i])) p = r;
    [M[i], M[p]] = [M[p], M[i]];
    if (M[i][i] === 0) throw new RangeError('the sample points do not determine a cubic');
    for (let r = 0; r < m; r++) {
      if (r === i) continue;
      const f = M[r][i] / M[i][i];
      for (let c = i; c <= m; c++) M[r][c] -= f * M[i][c];
    }
  }
  return M.map((r, i) => r[m] / r[i]);
}

/**
 * Fits x and y as cubics in (lng − lng0, lat − lat0) by least squares over the samples (at
 * least ten, spread over the area: a grid of 7 × 7 points is plenty).
 */
export function fitCubic(samples: readonly { lng: number; lat: number; x: number; y: number }[], lng0: number, lat0: number): CubicFit {
  const rows = samples.map((s) => cubicTerms(s.lng - lng0, s.lat - lat0));
  return {
    lng0,
    lat0,
    cx: leastSquares(
      rows,
      samples.map((s) => s.x),
    ),
    cy: leastSquares(
      rows,
      samples.map((s) => s.y),
    ),
  };
}

/** Evaluates a fit at (lng, lat). */
export function project(fit: CubicFit, lng: number, lat: number): { x: number; y: number } {
  const t = cubicTerms(lng - fit.lng0, lat - fit.lat0);
  return { x: t.reduce((s, v, i) => s + v * fit.cx[i], 0), y: t.reduce((s, v, i) => s + v * fit.cy[i], 0) };
}
