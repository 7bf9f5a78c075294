/**
 * Okabe–Ito, the palette designed to stay distinct for every common colour-vision deficiency.
 * Series also differ by line style and point shape, so no chart relies on colour alone.
 */
export const OKABE_ITO = {
  blue: '#0072B2',
  vermillion: '#D55E00',
  bluishGreen: '#009E73',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  reddishPurple: '#CC79A7',
  yellow: '#F0E442',
  black: '#000000',
} as const;

/** Axis titles and tick labels: dark grey on white (≥ 7:1). */
export const AXIS_COLOR = '#374151';
export const GRID_COLOR = '#e5e7eb';
