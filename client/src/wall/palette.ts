import { CHOROPLETH_COLORS, classColors } from '../map/choropleth.ts';

/**
 * The district choropleth on the wall's dark ground: the same classes as the control room's
 * ColorBrewer Blues, drawn dark to light (more appeals = brighter), since on a dark map the
 * light end is the one that stands out.
 */
export const WALL_CHOROPLETH = ['#1b2f4f', '#1f4f86', '#2f6fb7', '#5b9be0', '#a9d2ff'] as const;

/** The wall's colour for each class of `breaks` (one more than the breaks). */
export function wallClassColors(breaks: number[]): string[] {
  return classColors(breaks).map((c) => WALL_CHOROPLETH[CHOROPLETH_COLORS.indexOf(c as (typeof CHOROPLETH_COLORS)[number])]);
}
