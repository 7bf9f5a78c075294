import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../server/catalog.ts';
import { repeatedClusters } from '../../server/hotspots/clusters.ts';
import { hotspots } from '../../server/hotspots/hotspots.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const DAY = 86_400_000;
// A window in the past: appeals other test files create now do not fall in it.
const from = new Date(Date.now() - 60 * DAY).toISOString();
const to = new Date(Date.now() - 30 * DAY).toISOString();
const CLASSES = ['hot99', 'hot95', 'hot90', 'cold99', 'cold95', 'cold90', 'ns'];
const TRENDS = ['new', 'intensifying', 'persistent', 'diminishing', 'sporadic'];

describe('GET /api/hotspots', () => {
  it('gives hexagons over the city with Gi* statistics that add up', async () => {
    const { status, body } = await t.json(`/api/hotspots?from=${from}&to=${to}`);
    expect(status).toBe(200);
    expect(body.type).toBe('FeatureCollection');
    expect(body.parameters).toMatchObject({ cell: 400, band_auto: true, slices: 4, srid: 32642, normalize: 'none' });
    expect(body.summary.cells).toBe(body.features.length);
    expect(body.summary.cells).toBeGreaterThan(800); // Taraz's districts cover about 134 km²: ~1,000 cells of 0.14 km²
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE created_at >= $1 AND created_at < $2`, [from, to]);
    expect(body.summary.appeals + body.summary.appeals_outside).toBe(rows[0].n);
    expect(body.features.reduce((a: number, f: any) => a + f.properties.count, 0)).toBe(body.summary.appeals);

    const levels: Record<string, number> = { 99: 0.01, 95: 0.05, 90: 0.1 };
    for (const f of body.features) {
      const p = f.properties;
      expect(f.geometry.type).toBe('Polygon');
      expect(f.geometry.coordinates[0]).toHaveLength(7);
      expect(f.id).toBe(p.id);
      expect(CLASSES).toContain(p.class);
      expect(p.series.reduce((a: number, b: number) => a + b, 0)).toBe(p.count);
      expect(p.p_adjusted).toBeGreaterThanOrEqual(p.p);
      if (p.class === 'ns') {
        expect(p.p_adjusted > 0.1 || p.z === 0).toBe(true);
        expect(p.trend).toBeNull();
      } else {
        expect(Math.sign(p.z)).toBe(p.class.startsWith('hot') ? 1 : -1);
        expect(p.p_adjusted).toBeLessThanOrEqual(levels[p.class.slice(-2)]);
        expect(TRENDS).toContain(p.trend);
      }
      if (p.count > 0) expect(p.top_categories[0].count).toBeGreaterThan(0);
    }
    const summed = Object.values(body.summary.classes as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(summed).toBe(body.features.length);
  });

  it('says how many appeals the neighbourhood a z-score weighs holds: the cell and the cells within the band', async () => {
    const { body } = await t.json(`/api/hotspots?from=${from}&to=${to}`);
    const band: number = body.parameters.band;
    const hot = body.features.filter((f: any) => f.properties.class.startsWith('hot')).slice(0, 5);
    expect(hot.length).toBeGreaterThan(0);
    // centre-to-centre distances on the ground, by PostGIS, from every hot cell to every cell; the
    // lattice's ring exactly at the band is inside (a metre or so apart on the ground from the
    // projected distance), a pair a few metres past it would be ambiguous
    const { rows } = await t.pool.query(
      `WITH c AS (SELECT f->'properties'->>'id' AS id, (f->'properties'->>'count')::int AS n,
                         ST_Centroid(ST_GeomFromGeoJSON(f->'geometry'))::geography AS g
                    FROM jsonb_array_elements($1::jsonb) f)
       SELECT h.id, count(*)::int AS cells, sum(o.n)::int AS appeals,
              bool_or(ST_Distance(h.g, o.g) > $2 + 1) AS borderline
         FROM c h JOIN c o ON ST_DWithin(h.g, o.g, $2 + 5)
        WHERE h.id = ANY($3::text[])
        GROUP BY h.id`,
      [JSON.stringify(body.features), band, hot.map((f: any) => f.properties.id)],
    );
    const clear = rows.filter((r) => !r.borderline);
    expect(clear.length).toBeGreaterThan(0);
    for (const r of clear) {
      const p = hot.find((f: any) => f.properties.id === r.id).properties;
      expect(p.neighbours, r.id).toBe(r.cells);
      expect(p.neighbourhood_count, r.id).toBe(r.appeals);
      expect(p.neighbourhood_count).toBeGreaterThanOrEqual(p.count);
    }
  });

  it('counts each appeal in the PostGIS hexagon that holds it, and names the district of the centre', async () => {
    const { body } = await t.json(`/api/hotspots?from=${from}&to=${to}`);
    const size = 400 / Math.sqrt(3);
    const cells = body.features.filter((f: any) => f.properties.count > 0);
    const { rows } = await t.pool.query<{ id: string; n: number }>(
      `SELECT c.i || ':' || c.j AS id, count(x.id)::int AS n
         FROM unnest($1::int[], $2::int[]) AS c(i, j)
         LEFT JOIN incidents x ON x.created_at >= $3 AND x.created_at < $4
                              AND ST_Intersects(ST_SetSRID(ST_Hexagon($5, c.i, c.j), 32642), ST_Transform(x.geom, 32642))
        GROUP BY 1`,
      [cells.map((f: any) => Number(f.id.split(':')[0])), cells.map((f: any) => Number(f.id.split(':')[1])), from, to, size],
    );
    const inHexagon = new Map(rows.map((r) => [r.id, r.n]));
    for (const f of cells) expect(inHexagon.get(f.id), f.id).toBe(f.properties.count);
    const centres = await t.pool.query<{ id: string; code: string | null }>(
      `SELECT c.i || ':' || c.j AS id,
              (SELECT d.code FROM districts d WHERE ST_Intersects(d.geom, ST_Transform(ST_SetSRID(ST_Centroid(ST_Hexagon($3, c.i, c.j)), 32642), 4326)) ORDER BY d.id LIMIT 1) AS code
         FROM unnest($1::int[], $2::int[]) AS c(i, j)`,
      [cells.map((f: any) => Number(f.id.split(':')[0])), cells.map((f: any) => Number(f.id.split(':')[1])), size],
    );
    const district = new Map(centres.rows.map((r) => [r.id, r.code]));
    for (const f of cells) expect(f.properties.district).toBe(district.get(f.id));
  });

  it('finds a planted cluster of a rare category as a 99 % hot spot, new in the last slice', async () => {
    const catalog = await getCatalog(t.pool);
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      const now = Date.now();
      const window = { from: new Date(now - 28 * DAY).toISOString(), to: new Date(now + 1000).toISOString() };
      // The leaf category with the fewest appeals in the window.
      const { rows: rare } = await client.query<{ code: string; id: number; n: number }>(
        `SELECT c.code, c.id, count(i.id)::int AS n
           FROM categories c LEFT JOIN incidents i ON i.category_id = c.id AND i.created_at >= $1
          WHERE c.active AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id)
          GROUP BY c.code, c.id ORDER BY 3, 1 LIMIT 1`,
        [window.from],
      );
      // 200 appeals within 120 m of a point in the centre of Taraz (a spiral: radius 120 m × √(k/200)),
      // registered over the last six days (the last of four 7-day slices).
      await client.query(
        `INSERT INTO incidents (number, type, category_id, channel, priority, description, geom, due_at, created_at)
         SELECT 'HS-PLANT-' || k, 'complaint', $1, 'phone', 3, 'planted for a test',
                ST_SetSRID(ST_MakePoint(71.3920 + 120 * sqrt(k / 200.0) * cos(k * 2.4) / (111320 * cos(radians(42.9))),
                                        42.9010 + 120 * sqrt(k / 200.0) * sin(k * 2.4) / 110540), 4326),
                now() + interval '3 days', now() - (k % 144) * interval '1 hour'
           FROM generate_series(1, 200) k`,
        [rare[0].id],
      );
      const res = await hotspots(client, catalog, {
        filter: { category: [rare[0].code] },
        ...window,
        cell: 400,
        normalize: 'none',
        skewCorrection: true,
        include: 'all',
      });
      const top = [...res.features].sort((a, b) => b.properties.count - a.properties.count)[0];
      expect(top.properties.count).toBeGreaterThanOrEqual(100); // the spiral may straddle two or three cells
      expect(top.properties.class).toBe('hot99');
      expect(top.properties.trend).toBe('new');
      expect(top.properties.top_categories[0]).toEqual({ code: rare[0].code, count: top.properties.count });
      expect(res.summary.appeals).toBe(rare[0].n + 200);

      const clusters = await repeatedClusters(client, catalog, {
        filter: { category: [rare[0].code] },
        ...window,
        eps: 120,
        minPoints: 5,
        level: 'kind',
        limit: 10,
      });
      const planted = clusters.features[0].properties;
      expect(planted.size).toBeGreaterThanOrEqual(200);
      expect(planted.category).toBe(rare[0].code);
      expect(planted.open_share).toBe(1);
      expect(planted.radius_m).toBeLessThanOrEqual(125);
      expect(planted.incident_ids).toHaveLength(planted.size);
      expect(planted.grouping).toEqual({ parent: planted.incident_ids[0], children: planted.incident_ids.slice(1) });
      expect(clusters.features[0].geometry.type).toBe('Polygon');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('normalises per 10,000 residents, spreading district populations by area', async () => {
    const { status, body } = await t.json(`/api/hotspots?from=${from}&to=${to}&normalize=population&include=all`);
    expect(status).toBe(200);
    const { rows } = await t.pool.query(`SELECT sum(population)::int AS p FROM districts`);
    const spread = body.features.reduce((a: number, f: any) => a + (f.properties.population ?? 0), 0);
    expect(Math.abs(spread - rows[0].p) / rows[0].p).toBeLessThan(0.01);
    // population is shown in whole residents, the rate to 3 decimals
    const cells = body.features.filter((x: any) => x.properties.population >= 1000 && x.properties.count > 0);
    expect(cells.length).toBeGreaterThan(10);
    for (const f of cells) {
      const exact = (f.properties.count / f.properties.population) * 10_000;
      expect(Math.abs(f.properties.rate - exact)).toBeLessThan(0.001 + exact * 0.0006);
    }
  });

  it('restricts the grid to the chosen districts and can leave out what is not significant', async () => {
    const all = (await t.json(`/api/hotspots?from=${from}&to=${to}`)).body;
    const one = (await t.json(`/api/hotspots?from=${from}&to=${to}&district=talas&include=significant`)).body;
    expect(one.summary.cells).toBeLessThan(all.summary.cells / 3);
    for (const f of one.features) expect(f.properties.class).not.toBe('ns');
  });

  it('answers bad parameters with a 400 that names them', async () => {
    const cases: [string, string][] = [
      ['cell=50', 'cell'],
      ['cell=100', 'cell'], // about 15,000 cells over Taraz: too many
      ['cell=400&band=200', 'band'],
      ['slices=0', 'slices'],
      ['from=2026-02-30', 'from'],
      ['from=2026-05-01&to=2026-04-01', 'from'],
      ['from=2020-01-01&to=2026-01-01', 'from'],
      ['normalize=households', 'normalize'],
      ['category=no.such.thing', 'category'],
      ['skew_correction=maybe', 'skew_correction'],
    ];
    for (const [query, param] of cases) {
      const { status, body } = await t.json(`/api/hotspots?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.message + JSON.stringify(body.error.details), query).toContain(param);
    }
  });
});

describe('GET /api/hotspots/clusters', () => {
  it('lists repeated complaints of one category: size, place, span, open share and ids', async () => {
    const yearAgo = new Date(Date.now() - 365 * DAY).toISOString();
    const { status, body } = await t.json(`/api/hotspots/clusters?from=${yearAgo}&to=${to}&eps=150&min_points=4`);
    expect(status).toBe(200);
    expect(body.parameters).toMatchObject({ eps: 150, min_points: 4, level: 'category' });
    expect(body.features.length).toBeGreaterThan(0);
    const sizes = body.features.map((f: any) => f.properties.size);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    for (const f of body.features) {
      const p = f.properties;
      expect(p.size).toBeGreaterThanOrEqual(4);
      expect(p.incident_ids).toHaveLength(p.size);
      expect(p.open_ids.length).toBe(p.open);
      expect(p.open_share).toBeCloseTo(p.open / p.size, 4);
      expect(Date.parse(p.first)).toBeLessThanOrEqual(Date.parse(p.last));
      expect(f.geometry.type).toBe('Polygon');
    }
    // The appeals of a cluster share a category (at the second level of the taxonomy) and lie within reach of each other.
    const first = body.features[0].properties;
    const { rows } = await t.pool.query(
      `SELECT count(DISTINCT CASE WHEN c.depth <= 1 THEN c.id ELSE c.parent_id END)::int AS categories,
              ST_MaxDistance(ST_Transform(ST_Collect(i.geom), 32642), ST_Transform(ST_Collect(i.geom), 32642)) AS span
         FROM incidents i JOIN categories c ON c.id = i.category_id WHERE i.id = ANY($1::bigint[])`,
      [first.incident_ids],
    );
    expect(rows[0].categories).toBe(1);
    expect(rows[0].span).toBeLessThanOrEqual(2 * first.radius_m + 1);
  });

  it('answers bad parameters with a 400 that names them', async () => {
    for (const [query, param] of [
      ['eps=5', 'eps'],
      ['min_points=1', 'min_points'],
      ['level=sphere', 'level'],
      ['to=2026-13-01', 'to'],
    ]) {
      const { status, body } = await t.json(`/api/hotspots/clusters?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.message, query).toContain(param);
    }
  });
});
