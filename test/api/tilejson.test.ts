import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { tileOf } from '../helpers/tiles.ts';

/**
 * Issue 21: GET /tiles/incidents.json, TileJSON 3.0.0 of the incident tiles, read by our checks
 * and by a client nobody here wrote, GDAL's MVT driver (gdal-bin, as in ogc-gdal.test.ts),
 * against the real HTTP server. `If-None-Match: *` is a 304 on the TileJSON and on the tiles.
 */
const run = promisify(execFile);
const t = testApp({ JARDEM_PUBLIC_URL: 'https://city.example.org/jardem' });
const plain = testApp();
let base = '';
let close: () => void = () => undefined;

beforeAll(async () => {
  const server = serve({ fetch: plain.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((done) => server.once('listening', () => done()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

describe('TileJSON of the incident tiles', () => {
  it('is TileJSON 3.0.0 with absolute tile URLs, layers and fields, zooms, the city bounds and an attribution', async () => {
    const { status, body, headers } = await t.json('/tiles/incidents.json');
    expect(status).toBe(200);
    expect(body.tilejson).toBe('3.0.0');
    expect(body.tiles).toEqual(['https://city.example.org/jardem/tiles/incidents/{z}/{x}/{y}.mvt']);
    expect(body).toMatchObject({ minzoom: 0, maxzoom: 22, attribution: expect.any(String) });
    expect(body.vector_layers.map((l: any) => l.id)).toEqual(['cells', 'incidents']);
    for (const l of body.vector_layers) expect(Object.keys(l.fields).length).toBeGreaterThan(0);
    const { rows } = await t.pool.query(
      'SELECT ST_XMin(e) AS w, ST_YMin(e) AS s, ST_XMax(e) AS e, ST_YMax(e) AS n FROM (SELECT ST_Extent(geom)::geometry e FROM districts) x',
    );
    const b = rows[0];
    body.bounds.forEach((v: number, i: number) => expect(v).toBeCloseTo([b.w, b.s, b.e, b.n][i], 6));
    expect(headers.get('etag')).toMatch(/^"[^"]+"$/);
  });

  it('the fields it lists are the fields the tiles carry', async () => {
    const { body } = await plain.json('/tiles/incidents.json');
    const { VectorTile } = await import('@mapbox/vector-tile');
    const { PbfReader } = await import('pbf');
    const { rows } = await plain.pool.query('SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents WHERE is_open LIMIT 1');
    for (const [z, layer] of [
      [12, 'cells'],
      [16, 'incidents'],
    ] as const) {
      const { x, y } = tileOf(rows[0].lng, rows[0].lat, z);
      const res = await plain.request(`/tiles/incidents/${z}/${x}/${y}.mvt`);
      const l = new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer()))).layers[layer];
      const fields = body.vector_layers.find((v: any) => v.id === layer).fields;
      for (let i = 0; i < l.length; i++) for (const k of Object.keys(l.feature(i).properties)) expect(fields, k).toHaveProperty(k);
    }
  });

  it('answers 304 to its ETag and to If-None-Match: *, as the tiles do', async () => {
    const first = await plain.request('/tiles/incidents.json');
    const etag = first.headers.get('etag')!;
    expect((await plain.request('/tiles/incidents.json', { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await plain.request('/tiles/incidents.json', { headers: { 'if-none-match': '*' } })).status).toBe(304);
    expect((await plain.request('/tiles/incidents.json', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    const tile = await plain.request('/tiles/incidents/1/0/0.mvt', { headers: { 'if-none-match': '*' } });
    expect(tile.status).toBe(304);
  });

  it("GDAL's MVT driver opens a tile with the TileJSON as its METADATA_FILE (GDAL 3.6 reads a URL as one tile)", async () => {
    const { rows } = await plain.pool.query('SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents WHERE is_open LIMIT 1');
    const { x, y } = tileOf(rows[0].lng, rows[0].lat, 16);
    const args = ['-ro', '-al', '-so', '-oo', `METADATA_FILE=${base}/tiles/incidents.json`, `MVT:${base}/tiles/incidents/16/${x}/${y}.mvt`];
    const { stdout } = await run('ogrinfo', args, { timeout: 120_000 }).catch((e) => {
      throw new Error(`ogrinfo ${args.join(' ')}: ${e.stderr ?? e.message}`);
    });
    expect(stdout).toMatch(/Layer name: incidents/);
    expect(stdout).toMatch(/overdue: Integer ?\(Boolean\)/);
    // Types from the TileJSON's `fields`: `Number` is a Real to GDAL, where the tile alone gives
    // integer ids an Integer type; so GDAL read the metadata.
    expect(stdout).toMatch(/^id: Real/m);
    expect(stdout).toMatch(/^priority: Real/m);
    expect(stdout).toMatch(/number: String/);
  });

  it('serves a tile as .pbf, as tile directories name it, the same as .mvt', async () => {
    const { rows } = await plain.pool.query('SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents WHERE is_open LIMIT 1');
    const { x, y } = tileOf(rows[0].lng, rows[0].lat, 16);
    const [mvt, pbf] = await Promise.all(['mvt', 'pbf'].map((ext) => plain.request(`/tiles/incidents/16/${x}/${y}.${ext}`)));
    expect(pbf.status).toBe(200);
    expect(pbf.headers.get('content-type')).toBe(mvt.headers.get('content-type'));
    expect(Buffer.from(await pbf.arrayBuffer())).toEqual(Buffer.from(await mvt.arrayBuffer()));
    expect((await plain.request(`/tiles/incidents/16/${x}/${y}.png`)).status).toBe(404);
  });

  it(
    "GDAL's MVT driver opens a zoom level of the tileset from its URL with no option, typed from the TileJSON",
    { timeout: 180_000 },
    async () => {
      // As a user would type it: `ogrinfo MVT:<base>/tiles/incidents/12`. GDAL 3.6 looks for
      // <tileset>/metadata.json (404), then <tileset>.json — the TileJSON — and fetches every tile
      // of zoom 12 inside its bounds as .pbf. (A single tile by URL is read without the metadata:
      // for one tile, METADATA_FILE above.)
      const args = ['-ro', '-al', '-so', `MVT:${base}/tiles/incidents/12`];
      const { stdout } = await run('ogrinfo', args, { timeout: 170_000 }).catch((e) => {
        throw new Error(`ogrinfo ${args.join(' ')}: ${e.stderr ?? e.message}`);
      });
      expect(stdout).toMatch(/Layer name: cells/);
      expect(stdout).toMatch(/Layer name: incidents/);
      // `Number` fields are Reals only when GDAL read the TileJSON (a tile alone types counts as Integer).
      expect(stdout).toMatch(/^count: Real/m);
      // Every open appeal is counted in the cells of zoom 12, once.
      const sum = ['-ro', '-sql', 'SELECT SUM(count) AS n FROM cells', `MVT:${base}/tiles/incidents/12`];
      const { stdout: counted } = await run('ogrinfo', sum, { timeout: 170_000 });
      const open = (await plain.pool.query('SELECT count(*)::int AS n FROM incidents WHERE is_open')).rows[0].n;
      expect(Number(/n \(Real\) = ([\d.]+)/.exec(counted)?.[1])).toBe(open);
    },
  );
});
