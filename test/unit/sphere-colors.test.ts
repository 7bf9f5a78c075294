import { describe, expect, it } from 'vitest';
import { heatScale } from '../../client/src/map/choropleth.ts';
import { assignSphereColors, OTHER_SPHERE_COLOR, SPHERE_PALETTE } from '../../client/src/map/sphere-colors.ts';
import { homeOf, pagesFor } from '../../client/src/lib/nav.ts';

describe('sphere colours of the map (issue 22: twenty alike colours, a legend of four)', () => {
  const counts = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, 100 - i]));

  it('gives the most frequent spheres in view one distinct palette colour each, the rest none', () => {
    const c = assignSphereColors(counts);
    expect(Object.keys(c).sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
    expect(new Set(Object.values(c)).size).toBe(SPHERE_PALETTE.length);
    expect(Object.values(c)).not.toContain(OTHER_SPHERE_COLOR);
  });

  it('keeps a sphere its colour while it stays among the coloured ones', () => {
    const first = assignSphereColors(counts);
    const next = assignSphereColors({ ...counts, s0: 1, s19: 500 }, first);
    for (const code of ['s1', 's2', 's3', 's4', 's5', 's6']) expect(next[code]).toBe(first[code]);
    expect(next.s19).toBe(first.s0);
    expect(next.s0).toBeUndefined();
  });

  it('ignores spheres with no appeals in view', () => {
    expect(assignSphereColors({ a: 0, b: 2 })).toEqual({ b: SPHERE_PALETTE[0] });
  });
});

describe('heat scale', () => {
  it('labels the colour stops with the appeals per cell that reach them (√ scale), rising, no repeats', () => {
    expect(heatScale(160).map((t) => t.n)).toEqual([10, 40, 90, 160]);
    expect(heatScale(2).map((t) => t.n)).toEqual([1, 2]);
  });
});

describe('navigation from the access matrix', () => {
  it('offers each role the pages it may use, and its home', () => {
    expect(pagesFor('executor')).toEqual(['city', 'queue', 'hotspots']);
    expect(pagesFor('admin')).toContain('admin');
    expect(pagesFor(null)).toEqual(['city', 'hotspots']);
    expect(homeOf('dispatcher')).toBe('/intake');
    expect(homeOf('supervisor', ['talas'])).toBe('/districts/talas');
    expect(homeOf('supervisor', ['a', 'b'])).toBe('/');
  });
});
