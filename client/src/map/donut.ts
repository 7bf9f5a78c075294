/**
 * The cluster ring: arcs showing the mix of spheres in a cell, around its count. Drawn into
 * images for a symbol layer, so that district labels can move out of the rings' way.
 */
const HEX = /^#[0-9a-f]{3,8}$/i;
/** Arcs beyond this many spheres merge into one grey "other" arc. */
const MAX_ARCS = 6;
const OTHER_COLOR = '#9e9e9e';

export interface Slice {
  key: string;
  n: number;
  color: string;
}

/** The mix as slices, largest first, with the tail merged into "other". */
export function slices(mix: Record<string, number>, color: (code: string) => string): Slice[] {
  const sorted = Object.entries(mix)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const head = sorted.slice(0, MAX_ARCS).map(([key, n]) => ({ key, n, color: safeColor(color(key)) }));
  const rest = sorted.slice(MAX_ARCS).reduce((s, [, n]) => s + n, 0);
  return rest ? [...head, { key: 'other', n: rest, color: OTHER_COLOR }] : head;
}

const safeColor = (c: string) => (HEX.test(c) ? c : OTHER_COLOR);

/** Marker diameter in CSS pixels: grows with the log of the count, 30..60. */
export function donutSize(count: number): number {
  return Math.round(Math.min(60, 30 + 10 * Math.log10(Math.max(1, count))));
}

/**
 * The ring of `parts` drawn for the map (an image for a symbol layer): `size` CSS px at
 * `pixelRatio`, a white disc inside for the count, arcs from 12 o'clock clockwise.
 */
export function donutImage(parts: Slice[], size: number, pixelRatio: number): ImageData {
  const px = Math.round(size * pixelRatio);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = px;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(pixelRatio, pixelRatio);
  const c = size / 2;
  const stroke = Math.max(6, size * 0.2);
  const r = c - stroke / 2 - 1;
  // soft shadow and a white base so the ring reads over any fill colour
  ctx.beginPath();
  ctx.arc(c, c, c - 0.5, 0, Math.PI * 2);
  ctx.fillStyle = 'rgba(15, 23, 42, 0.35)';
  ctx.fill();
  ctx.beginPath();
  ctx.arc(c, c, c - 1.5, 0, Math.PI * 2);
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  const total = parts.reduce((s, p) => s + p.n, 0) || 1;
  let start = -Math.PI / 2;
  ctx.lineWidth = stroke;
  for (const p of parts) {
    const end = start + (p.n / total) * Math.PI * 2;
    ctx.beginPath();
    ctx.arc(c, c, r, start, end);
    ctx.strokeStyle = p.color;
    ctx.stroke();
    start = end;
  }
  // thin white gaps between arcs keep neighbouring colours apart
  if (parts.length > 1) {
    start = -Math.PI / 2;
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = '#ffffff';
    for (const p of parts) {
      ctx.beginPath();
      ctx.moveTo(c + (r - stroke / 2) * Math.cos(start), c + (r - stroke / 2) * Math.sin(start));
      ctx.lineTo(c + (r + stroke / 2) * Math.cos(start), c + (r + stroke / 2) * Math.sin(start));
      ctx.stroke();
      start += (p.n / total) * Math.PI * 2;
    }
  }
  return ctx.getImageData(0, 0, px, px);
}
