/**
 * Colours of the spheres on the map. A city has about twenty spheres, more than anyone can tell
 * apart by colour; the map shows only what is in view, so the spheres in view get the colours of
 * a small palette of distinct hues (most appeals first) and the rest share one grey "other".
 * The legend lists exactly these. Assignments are sticky: a sphere keeps its colour while it
 * stays among the coloured ones, so panning does not repaint the map.
 */

/**
 * Okabe–Ito's hues that read on white and on the pale blue choropleth (its yellow does not; black
 * stands in for it): distinct for every common colour-vision deficiency.
 */
export const SPHERE_PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000'] as const;
/** Every sphere beyond the palette. */
export const OTHER_SPHERE_COLOR = '#6b6b6b';

/** sphere code → colour, for the spheres that have one of their own */
export type SphereColors = Readonly<Record<string, string>>;

/**
 * Colours for the spheres in view (`counts`, appeals per sphere code): the most frequent get a
 * palette colour each, keeping the one they had in `previous` where they still qualify.
 */
export function assignSphereColors(counts: Readonly<Record<string, number>>, previous: SphereColors = {}): SphereColors {
  const top = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, SPHERE_PALETTE.length)
    .map(([code]) => code);
  const out: Record<string, string> = {};
  const used = new Set<string>();
  for (const code of top) {
    const c = previous[code];
    if (c && (SPHERE_PALETTE as readonly string[]).includes(c) && !used.has(c)) {
      out[code] = c;
      used.add(c);
    }
  }
  const free = SPHERE_PALETTE.filter((c) => !used.has(c));
  for (const code of top) if (!out[code]) out[code] = free.shift()!;
  return out;
}

/** The same assignment, unchanged when nothing changed (so that effects depending on it stay quiet). */
export function sameColors(a: SphereColors, b: SphereColors): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export const sphereColor = (colors: SphereColors, code: string | null | undefined): string =>
  (code ? colors[code] : undefined) ?? OTHER_SPHERE_COLOR;

/** A short key of an assignment, part of the ring images' ids (a new assignment draws new rings). */
export const colorsKey = (colors: SphereColors): string =>
  Object.entries(colors)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k}=${v.slice(1)}`)
    .join(';');
