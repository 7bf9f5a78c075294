import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readCityPack } from '../../server/geodata/pack.ts';
import { sharedData } from '../helpers/shared-data.ts';

/**
 * Issue 21: a broken city pack is refused with every problem named (file, field, code), at
 * start (exit code 78, which the supervisor does not retry) and by `npm run geodata:check`.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NYC = join(ROOT, 'test/fixtures/nyc');
const TARAZ = join(ROOT, 'geodata/taraz');
process.env.JARDEM_SHARED_DATA ??= resolve(dirname(sharedData('nyc/nyc-boroughs.geojson')), '..');
const tmp = mkdtempSync(join(tmpdir(), 'jardem-packs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const run = promisify(execFile);

let n = 0;
/** A copy of a pack in a folder named `folder`, with `edit` applied to its parsed files. */
function variant(from: string, edit: (files: Record<string, any>) => void, folder = 'nyc'): string {
  const dir = join(tmp, String(n++), folder);
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(from, dir, { recursive: true });
  const files: Record<string, any> = {};
  for (const f of ['city.json', 'services.json', 'categories.json', 'routing.json'])
    files[f] = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  edit(files);
  for (const [f, v] of Object.entries(files)) {
    if (v === undefined) rmSync(join(dir, f));
    else writeFileSync(join(dir, f), JSON.stringify(v));
  }
  return dir;
}
const problems = async (dir: string) =>
  readCityPack(dir).then(
    () => 'accepted',
    (err: Error) => err.message,
  );

describe('city pack checks', () => {
  it('accepts the Taraz pack and the New York test pack (English names only, boroughs from the shared file)', async () => {
    const nyc = await readCityPack(NYC);
    expect(nyc.districts.features.map((f) => f.properties.code).sort()).toEqual([
      'bronx',
      'brooklyn',
      'manhattan',
      'queens',
      'staten-island',
    ]);
    expect(nyc.districts.features[0].properties.name_kk).toBe(nyc.districts.features[0].properties.name_en);
    expect(nyc.city).toMatchObject({ timeZone: 'America/New_York', phone: '311', languages: ['en'] });
    expect(nyc.services[0].name).toEqual({ kk: 'Police Department', ru: 'Police Department', en: 'Police Department' });
    expect((await readCityPack('taraz')).districts.features).toHaveLength(12);
  });

  it('names a missing districts file instead of a raw ENOENT', async () => {
    const dir = join(tmp, 'nodistricts', 'taraz');
    cpSync(TARAZ, dir, { recursive: true });
    rmSync(join(dir, 'districts.geojson'));
    const msg = await problems(dir);
    expect(msg).toMatch(/districts\.geojson: missing; add it or point city\.json's "districts\.source" at a boundary file/);
    expect(msg).not.toMatch(/ENOENT/);
    const source = await problems(variant(NYC, (f) => (f['city.json'].districts.source = './no-such-boroughs.geojson')));
    expect(source).toMatch(/districts\.source: file .*no-such-boroughs\.geojson not found/);
  });

  it('refuses a category or a routing rule naming a service, category or district that does not exist', async () => {
    const msg = await problems(
      variant(NYC, (f) => {
        f['categories.json'][0].children[0].service = 'nypd_queens';
        f['routing.json'].push({ category: 'noise.helicopter', district: 'hoboken', service: 'faa' });
      }),
    );
    expect(msg).toMatch(/categories\.json: "noise\.residential" names service "nypd_queens", which services\.json does not have/);
    expect(msg).toMatch(/routing\.json: rule 4: category "noise\.helicopter" is not in categories\.json/);
    expect(msg).toMatch(/routing\.json: rule 4: district "hoboken" is not among the districts/);
    expect(msg).toMatch(/routing\.json: rule 4: service "faa" is not in services\.json/);
  });

  it('refuses a city.json code other than its folder, norms out of range and an unknown zone', async () => {
    const msg = await problems(
      variant(NYC, (f) => {
        f['city.json'].code = 'newyork';
        f['city.json'].timeZone = 'America/Gotham';
        f['categories.json'][2].children[0].norm = { workingDays: 400 };
        f['categories.json'][0].norm = { hours: 0 };
      }),
    );
    expect(msg).toMatch(/city\.json: code "newyork" differs from the folder name "nyc"/);
    expect(msg).toMatch(/city\.json: timeZone: not an IANA time zone/);
    expect(msg).toMatch(/categories\.json: 2\.children\.0\.norm\.workingDays: Too big/);
    expect(msg).toMatch(/categories\.json: 0\.norm\.hours: Too small/);
  });

  it('refuses duplicate codes of services, categories and districts', async () => {
    const msg = await problems(
      variant(NYC, (f) => {
        f['services.json'].push({ ...f['services.json'][0] });
        f['categories.json'][1].children.push({ ...f['categories.json'][1].children[0] });
      }),
    );
    expect(msg).toMatch(/services\.json: code "nypd" is used twice/);
    expect(msg).toMatch(/categories\.json: code "parking\.illegal" is used twice/);
    const nocode = await problems(variant(NYC, (f) => (f['city.json'].districts.fields.code = 'BoroNumber')));
    expect(nocode).toMatch(/districts\.source: feature 1 has no "BoroNumber"/);
    const twice = join(tmp, 'twice', 'taraz');
    cpSync(TARAZ, twice, { recursive: true });
    const geo = JSON.parse(readFileSync(join(twice, 'districts.geojson'), 'utf8'));
    geo.features[1].properties.code = geo.features[0].properties.code;
    writeFileSync(join(twice, 'districts.geojson'), JSON.stringify(geo));
    expect(await problems(twice)).toMatch(new RegExp(`districts: code "${geo.features[0].properties.code}" is used twice`));
  });

  it('reports every problem of a file that is not JSON, or lacks a name in every language', async () => {
    const dir = variant(NYC, (f) => (f['services.json'][1].name = {}));
    writeFileSync(join(dir, 'routing.json'), '[{"category": ');
    const msg = await problems(dir);
    expect(msg).toMatch(/routing\.json: not valid JSON/);
    expect(msg).toMatch(/services\.json: 1\.name: needs a name in at least one of kk, ru, en/);
  });

  it('npm run geodata:check says what is wrong and exits 1; a good pack exits 0', async () => {
    const bad = variant(NYC, (f) => (f['categories.json'][0].service = 'nypd_queens'));
    const failed = await run('npx', ['tsx', 'server/geodata/check-cli.ts', bad], { cwd: ROOT }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/"noise" names service "nypd_queens"/);
    const ok = await run('npx', ['tsx', 'server/geodata/check-cli.ts', NYC, 'taraz'], { cwd: ROOT });
    expect(ok.stdout).toMatch(
      /nyc: ok \(5 districts, 6 services, 5 spheres, 3 routing rules, 12 calendar days, time zone America\/New_York\)/,
    );
  }, 60_000);

  it('the server refuses to start with a broken pack: exit code 78 (not retried by the supervisor) and the problems', async () => {
    const bad = variant(NYC, (f) => (f['city.json'].districts = undefined));
    const env = { ...process.env, JARDEM_CITY: bad, DATABASE_URL: '', JARDEM_DATA_DIR: join(tmp, 'never-opened'), LOG_LEVEL: 'silent' };
    const failed = await run(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env }).catch((e) => e);
    expect(failed.code).toBe(78);
    expect(failed.stderr).toMatch(/districts\.geojson: missing/);
  }, 60_000);
});
