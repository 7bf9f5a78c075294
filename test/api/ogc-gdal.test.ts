import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

/**
 * GDAL's own OGC API – Features client (the OAPIF driver of gdal-bin, which .ci/run installs)
 * against the real HTTP server: what QGIS and ogr2ogr users will do. The server runs in this
 * process, so GDAL is called asynchronously.
 */
const run = promisify(execFile);
const t = testApp();
let base = '';
let close: () => void = () => undefined;
const dir = mkdtempSync(join(tmpdir(), 'jardem-gdal-'));
// Appeals registered from now on (other test files create some) stay out of the comparison.
const until = new Date().toISOString();

async function gdal(tool: string, args: string[]) {
  try {
    return (await run(tool, args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`${tool} is not installed: install GDAL's command-line tools (Debian: apt-get install gdal-bin).`, { cause: err });
    }
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

const featureCount = (ogrinfoOutput: string) => Number(/Feature Count: (\d+)/.exec(ogrinfoOutput)?.[1]);

beforeAll(async () => {
  await gdal('ogrinfo', ['--version']);
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((done) => server.once('listening', () => done()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});

afterAll(() => {
  close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GDAL reads the OGC API', () => {
  it('ogrinfo lists both collections', async () => {
    const out = await gdal('ogrinfo', ['-ro', `OAPIF:${base}/ogc`]);
    expect(out).toMatch(/incidents.*\(Point\)/);
    expect(out).toMatch(/districts.*\(Multi Polygon\)/);
  });

  it(
    'ogr2ogr copies the whole incidents collection into a GeoPackage, as many features as the API reports',
    { timeout: 180_000 },
    async () => {
      const filter = `datetime=${encodeURIComponent(`../${until}`)}`;
      const { body } = await t.json(`/ogc/collections/incidents/items?limit=1&${filter}`);
      expect(body.numberMatched).toBeGreaterThan(1000);
      const gpkg = join(dir, 'incidents.gpkg');
      // 100 a page: thirty-odd next links, and a light load on the embedded database, which runs
      // one query at a time for every test file (GDAL 3.6 asks 10 a page by default).
      await gdal('ogr2ogr', ['-f', 'GPKG', gpkg, '-oo', 'PAGE_SIZE=100', `OAPIF:${base}/ogc?${filter}`, 'incidents']);
      expect(featureCount(await gdal('ogrinfo', ['-ro', '-so', '-al', gpkg]))).toBe(body.numberMatched);
      // Every appeal once: the pages neither overlap nor skip.
      const distinct = await gdal('ogrinfo', ['-ro', gpkg, '-sql', 'SELECT count(DISTINCT number) AS n FROM incidents']);
      expect(Number(/n \(Integer\w*\) = (\d+)/.exec(distinct)?.[1])).toBe(body.numberMatched);
      // Attributes come through typed; no personal data rides along.
      const schema = await gdal('ogrinfo', ['-ro', '-so', gpkg, 'incidents']);
      expect(schema).toMatch(/created_at: DateTime/);
      expect(schema).toMatch(/priority: Integer/);
      expect(schema).not.toMatch(/phone|reporter/i);
    },
  );

  it('ogr2ogr with a spatial filter sends bbox and gets what the API counts', { timeout: 120_000 }, async () => {
    const { body } = await t.json(
      `/ogc/collections/incidents/items?limit=1&bbox=71.35,42.87,71.4,42.91&datetime=${encodeURIComponent(`../${until}`)}`,
    );
    const gpkg = join(dir, 'box.gpkg');
    await gdal('ogr2ogr', [
      '-f',
      'GPKG',
      gpkg,
      '-oo',
      'PAGE_SIZE=500',
      '-spat',
      '71.35',
      '42.87',
      '71.4',
      '42.91',
      `OAPIF:${base}/ogc?datetime=../${until}`,
      'incidents',
    ]);
    expect(featureCount(await gdal('ogrinfo', ['-ro', '-so', '-al', gpkg]))).toBe(body.numberMatched);
  });

  it('ogr2ogr copies the districts', async () => {
    const gpkg = join(dir, 'districts.gpkg');
    await gdal('ogr2ogr', ['-f', 'GPKG', gpkg, `OAPIF:${base}/ogc`, 'districts']);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM districts');
    expect(featureCount(await gdal('ogrinfo', ['-ro', '-so', '-al', gpkg]))).toBe(rows[0].n);
  });
});
