import type { PaddingOptions } from 'maplibre-gl';

/**
 * Padding (px) for fitting the city or a district into a map `width` px wide. The legend card
 * sits in the bottom-left corner: a district keeps clear of it; the city, which is wider than
 * tall, gets a smaller left margin that usually costs no scale.
 */
export function fitPadding(kind: 'city' | 'district', width: number): PaddingOptions {
  const left = kind === 'city' ? Math.min(140, Math.round(width * 0.12)) : Math.min(300, Math.round(width * 0.3));
  return kind === 'city' ? { top: 24, bottom: 24, right: 24, left } : { top: 40, bottom: 40, right: 40, left };
}
