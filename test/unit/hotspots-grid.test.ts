/**
 * The geometry behind the hot spot grid: PostGIS's hexagon numbering, and the cubic stand-in for
 * the projection to UTM.
 */
import { describe, expect, it } from 'vitest';
import { cellsInRings, hexArea, hexCentre, hexSizeForSpacing } from '../../server/hotspots/hexgrid.ts';
import { cubicTerms, fitCubic, project } from '../../server/hotspots/projection.ts';

describe('hexCentre', () => {
  it('numbers hexagons as ST_HexagonGrid does', () => {
    // Centroids of ST_HexagonGrid(10, ST_MakeEnvelope(-40, -40, 40, 40)) printed by PostGIS 3.6
    // (SELECT i, j, ST_AsText(ST_Centroid(geom))): odd columns sit half a row up, also left of 0.
    const postgis: [number, number, number, number][] = [
      [0, 0, 0, 0],
      [0, 1, 0, 17.32050807568877],
      [1, 0, 15, 8.660254037844387],
      [2, 1, 30, 17.32050807568877],
      [-1, -1, -15, -8.660254037844387],
      [-2, -1, -30, -17.32050807568877],
      [-3, -2, -45, -25.980762113533164],
    ];
    for (const [i, j, x, y] of postgis) {
      const c = hexCentre(i, j, 10);
      expect(c.x).toBeCloseTo(x, 9);
      expect(c.y).toBeCloseTo(y, 9);
    }
  });

  it('relates spacing, edge and area', () => {
    // Neighbouring centres are √3 × edge apart; a hexagon of width w across flats has area (√3/2) w².
    const size = hexSizeForSpacing(400);
    const a = hexCentre(0, 0, size);
    const b = hexCentre(1, 0, size);
    expect(Math.hypot(b.x - a.x, b.y - a.y)).toBeCloseTo(400, 9);
    expect(hexArea(400)).toBeCloseTo(((3 * Math.sqrt(3)) / 2) * size * size, 6);
    expect([0, 1, 2, 3].map(cellsInRings)).toEqual([1, 7, 19, 37]);
  });
});

describe('fitCubic', () => {
  it('recovers a cubic exactly and evaluates it', () => {
    const c = [5, -2, 3, 0.5, 7, -1, 0.25, -3, 2, 1.5];
    const f = (u: number, v: number) => cubicTerms(u, v).reduce((s, t, k) => s + t * c[k], 0);
    const samples = [];
    for (let a = 0; a < 5; a++)
      for (let b = 0; b < 5; b++)
        samples.push({
          lng: 71 + a * 0.05,
          lat: 42.8 + b * 0.05,
          x: f(a * 0.05 - 0.1, b * 0.05 - 0.1),
          y: 2 * f(b * 0.05 - 0.1, a * 0.05 - 0.1),
        });
    const copy = structuredClone(samples);
    const fit = fitCubic(samples, 71.1, 42.9);
    expect(samples).toEqual(copy);
    fit.cx.forEach((v, k) => expect(v).toBeCloseTo(c[k], 6));
    const p = project(fit, 71.13, 42.87);
    expect(p.x).toBeCloseTo(f(0.03, -0.03), 9);
    expect(p.y).toBeCloseTo(2 * f(-0.03, 0.03), 9);
  });
});
