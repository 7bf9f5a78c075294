/**
 * Hot spot analysis on synthetic data: a planted cluster is found at 99 % confidence with the
 * right emerging pattern, and random uniform fields give no more false hot spots than the
 * false discovery rate allows. The grid is 30 × 30 hexagons 400 m apart (900 cells, about the
 * size of a city of 125 km²); appeals are dealt to cells by a seeded generator, so every run
 * sees the same fields.
 */
import { describe, expect, it } from 'vitest';
import { analyseCells, autoBand, type CellCounts } from '../../server/hotspots/analysis.ts';
import { hexCentre, hexSizeForSpacing } from '../../server/hotspots/hexgrid.ts';

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
function uniform(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPACING = 400;
const SIDE = 30;
const grid = Array.from({ length: SIDE * SIDE }, (_, k) => ({
  i: Math.floor(k / SIDE),
  j: k % SIDE,
  ...hexCentre(Math.floor(k / SIDE), k % SIDE, hexSizeForSpacing(SPACING)),
}));

/** `n` appeals dealt uniformly to the cells and to `slices` time slices. */
function uniformField(n: number, seed: number, slices = 4): CellCounts[] {
  const r = uniform(seed);
  const cells = grid.map((g) => ({ x: g.x, y: g.y, count: 0, slices: new Array<number>(slices).fill(0) }));
  for (let k = 0; k < n; k++) {
    const c = cells[Math.floor(r() * cells.length)];
    c.count++;
    c.slices[Math.floor(r() * slices)]++;
  }
  return cells;
}

const centre = grid.findIndex((g) => g.i === 15 && g.j === 15);

function plant(cells: CellCounts[], perSlice: number[]): CellCounts[] {
  return cells.map((c, k) =>
    k === centre ? { ...c, count: c.count + perSlice.reduce((a, b) => a + b, 0), slices: c.slices.map((v, t) => v + perSlice[t]) } : c,
  );
}

describe('a planted cluster', () => {
  // 1,800 appeals over 900 cells (2 a cell), then 200 more in one cell: a 150 m cluster sits in one 400 m hexagon.
  const background = uniformField(1800, 2026);
  const { band } = autoBand(SPACING, 2000, grid.length);

  it('is a 99 % hot spot, and so are few cells beyond its neighbourhood', () => {
    const res = analyseCells(plant(background, [50, 50, 50, 50]), { band });
    expect(band).toBe(SPACING); // 2.2 appeals a cell × 7 cells ≥ 8: one ring
    expect(res[centre].class).toBe('hot99');
    expect(res[centre].z).toBeGreaterThan(10);
    expect(res[centre].pAdjusted).toBeLessThan(1e-6);
    const hot = res.map((r, k) => ({ r, g: grid[k] })).filter(({ r }) => r.class.startsWith('hot'));
    // The hot cells are the planted cell and its six neighbours, whose neighbourhoods include it.
    for (const { g } of hot) expect(Math.hypot(g.x - grid[centre].x, g.y - grid[centre].y)).toBeLessThanOrEqual(SPACING * 1.001);
  });

  it('is new when it appears only in the last slice, intensifying when it grows, diminishing when it fades', () => {
    expect(analyseCells(plant(background, [0, 0, 0, 200]), { band })[centre]).toMatchObject({ class: 'hot99', trend: 'new' });
    expect(analyseCells(plant(background, [10, 40, 70, 80]), { band })[centre]).toMatchObject({ class: 'hot99', trend: 'intensifying' });
    expect(analyseCells(plant(background, [80, 70, 40, 10]), { band })[centre]).toMatchObject({ class: 'hot99', trend: 'diminishing' });
  });

  it('is found per capita too, where the cells have residents', () => {
    const cells = plant(background, [50, 50, 50, 50]).map((c) => ({ ...c, population: 1500 }));
    const res = analyseCells(cells, { band, perCapita: true });
    expect(res[centre].class).toBe('hot99');
    expect(res[centre].value).toBeCloseTo(((200 + background[centre].count) / 1500) * 10_000, 9);
    // a cell without residents takes no part
    cells[0] = { ...cells[0], population: 0 };
    expect(analyseCells(cells, { band, perCapita: true })[0]).toMatchObject({ class: 'ns', z: null, value: null });
  });
});

describe('random uniform fields', () => {
  // With no cluster at all, every significant cell is a false discovery, so the FDR equals the
  // share of fields with at least one: Benjamini–Hochberg keeps it at or below α (exactly α
  // for independent tests, less under positive dependence). 400 fields estimate a rate of 5 %
  // to ± 1.1 % (one standard error).
  const FIELDS = 400;
  const rates = (n: number, skewCorrection = true) => {
    const { band } = autoBand(SPACING, n, grid.length);
    const seen = { hot95: 0, any95: 0, any90: 0 };
    for (let s = 0; s < FIELDS; s++) {
      const classes = analyseCells(uniformField(n, 1000 + s, 1), { band, skewCorrection }).map((r) => r.class);
      if (classes.some((c) => c === 'hot95' || c === 'hot99')) seen.hot95++;
      if (classes.some((c) => /(99|95)$/.test(c))) seen.any95++;
      if (classes.some((c) => c !== 'ns')) seen.any90++;
    }
    return { hot95: seen.hot95 / FIELDS, any95: seen.any95 / FIELDS, any90: seen.any90 / FIELDS };
  };

  it('give no more false hot spots than the FDR allows, sparse or dense', { timeout: 60_000 }, () => {
    for (const n of [300, 1800, 9000]) {
      const r = rates(n);
      // hot spots at 95 %: at most α = 5 %
      expect(r.hot95, `${n} appeals`).toBeLessThanOrEqual(0.05);
      // hot or cold at 95 % and at 90 %: α plus two standard errors of the estimate
      expect(r.any95, `${n} appeals`).toBeLessThanOrEqual(0.05 + 0.022);
      expect(r.any90, `${n} appeals`).toBeLessThanOrEqual(0.1 + 0.03);
    }
  });

  it('would not without the skewness correction: textbook normal p-values overstate sparse counts', { timeout: 30_000 }, () => {
    expect(rates(1800, false).hot95).toBeGreaterThan(0.1);
  });
});
