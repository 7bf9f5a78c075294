/** The viewport is widened by this share on each side, so a short pan needs no new request. */
const MARGIN = 0.25;

/** The viewport [w, s, e, n] widened by MARGIN, rounded to ~1 m and clamped to the world. */
export function paddedBbox([w, s, e, n]: [number, number, number, number]): [number, number, number, number] {
  const dx = (e - w) * MARGIN;
  const dy = (n - s) * MARGIN;
  const r = (v: number) => Math.round(v * 1e5) / 1e5;
  return [r(Math.max(-180, w - dx)), r(Math.max(-90, s - dy)), r(Math.min(180, e + dx)), r(Math.min(90, n + dy))];
}

/** The integer zoom the server's grid is asked for (cells of ~64 px at that zoom). */
export const gridZoom = (zoom: number) => Math.max(0, Math.min(22, Math.round(zoom)));
