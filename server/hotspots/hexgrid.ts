/**
 * The hexagon grid of PostGIS's ST_HexagonGrid / ST_Hexagon (origin 0,0), in a metric plane.
 * Flat-topped hexagons with `size` = edge length = circumradius; column i sits at
 * x = 1.5 · size · i, row j at y = √3 · size · (j + |i mod 2| / 2) (odd columns half a row up).
 * Neighbouring centres are √3 · size apart: that distance is the grid's `spacing`.
 */

/** Edge length of the hexagons whose centres are `spacing` apart. */
export function hexSizeForSpacing(spacing: number): number {
  return spacing / Math.sqrt(3);
}

/** Area of one hexagon of `spacing` (width across flats), in the square of its unit. */
export function hexArea(spacing: number): number {
  return (Math.sqrt(3) / 2) * spacing * spacing;
}

/** Centre of hexagon (i, j) of edge `size`, as ST_Hexagon(size, i, j) draws it. */
export function hexCentre(i: number, j: number, size: number): { x: number; y: number } {
  return { x: 1.5 * size * i, y: Math.sqrt(3) * size * (j + (Math.abs(i % 2) === 1 ? 0.5 : 0)) };
}

/** Number of cells in a hexagonal disc of `rings` rings around a cell, the cell included. */
export function cellsInRings(rings: number): number {
  return 1 + 3 * rings * (rings + 1);
}
