import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { prepareDatabase } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';
import { importDistricts, readFeatures } from '../../server/geodata/import.ts';
import { getCityRules, deadline } from '../../server/lifecycle/calendar.ts';
import { upsertUser } from '../../server/users.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { sharedData } from '../helpers/shared-data.ts';
import { tileOf } from '../helpers/tiles.ts';

/**
 * Issue 21, city packs: the New York test pack (test/fixtures/nyc) on a database of its own.
 * Boroughs as districts (read from the shared borough file through the pack's field mapping),
 * America/New_York with daylight saving, English names only, the 311 number. The 311 sample's
 * rows (NYC Open Data) are registered through the API.
 */
const PACK = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/nyc');
const BOROUGHS = sharedData('nyc/nyc-boroughs.geojson');
const SAMPLE = sharedData('nyc/nyc-311-sample-2022-05-01.csv');
process.env.JARDEM_SHARED_DATA ??= resolve(dirname(BOROUGHS), '..');

/** The pack's category for a complaint type of the sample. */
const CATEGORY: Record<string, string> = {
  'Noise - Residential': 'noise.residential',
  'Noise - Street/Sidewalk': 'noise.street',
  'Noise - Commercial': 'noise.commercial',
  'Noise - Vehicle': 'noise.vehicle',
  'Noise - Park': 'noise.other',
  'Illegal Parking': 'parking.illegal',
  'Blocked Driveway': 'parking.blocked_driveway',
  'Abandoned Vehicle': 'parking.abandoned_vehicle',
  'Missed Collection': 'sanitation.missed_collection',
  Rodent: 'sanitation.rodent',
  'Street Condition': 'streets.condition',
  Encampment: 'other.homeless',
};
const CHANNEL: Record<string, string> = { PHONE: 'phone', ONLINE: 'web', MOBILE: 'app' };

const engine = inject('engine');
let db: Awaited<ReturnType<typeof freshDatabase>>;
let pool: ReturnType<typeof createPool>;
let app: ReturnType<typeof createApp>;
let cookie = '';
let csrf = '';

beforeAll(async () => {
  db = await freshDatabase(engine, 'nyc');
  pool = createPool(db.url, 4, 'America/New_York');
  // Finding: geodata:import before the first start left the city half-loaded. Import the
  // boroughs as the import command did, then start: the rest of the pack must still be loaded.
  const { migrate } = await import('../../server/db/migrate.ts');
  await migrate(pool);
  const client = await pool.connect();
  try {
    const { features, srid } = await readFeatures(BOROUGHS);
    await importDistricts(client, features, { code: 'BoroName', nameKk: 'BoroName', nameRu: 'BoroName', nameEn: 'BoroName' }, { srid });
  } finally {
    client.release();
  }
  await prepareDatabase(pool, { city: PACK, demo: false, demoCount: 0 });
  const config = loadConfig({ JARDEM_CITY: PACK, JARDEM_DEMO: 'false', LOG_LEVEL: 'silent' });
  app = createApp({ pool, engine, config });
  await upsertUser(pool, { login: 'nyc-dispatcher', name: 'Dispatcher', role: 'dispatcher', password: 'a long password 311' });
  const res = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'nyc-dispatcher', password: 'a long password 311' }),
  });
  cookie = res.headers.get('set-cookie')!.split(';')[0];
  csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
}, 180_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const get = async (path: string) => {
  const res = await app.request(path, { headers: { cookie } });
  return { status: res.status, res, body: res.headers.get('content-type')?.includes('json') ? await res.json() : null };
};

describe('the New York pack', () => {
  it('is fully loaded after an import before the first start: five boroughs, the categories, America/New_York, 311', async () => {
    const { body } = await get('/api/meta');
    expect(body.districts.map((d: any) => d.code).sort()).toEqual(['bronx', 'brooklyn', 'manhattan', 'queens', 'staten-island']);
    // English only in the pack: every language shows the English name.
    const queens = body.districts.find((d: any) => d.code === 'queens');
    expect(queens.name).toEqual({ kk: 'Queens', ru: 'Queens', en: 'Queens' });
    expect(body.categories.map((c: any) => c.code)).toContain('noise.residential');
    expect(body.categories.find((c: any) => c.code === 'sanitation').name.ru).toBe('Sanitation');
    expect(body.city).toMatchObject({
      code: 'nyc',
      timeZone: 'America/New_York',
      phone: '311',
      language: 'en',
      centreName: { en: 'NYC 311' },
    });
    expect(body.city.districts).toBeUndefined(); // the boundary file's path stays on the server
    const holidays = await pool.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM calendar_days ORDER BY day`);
    expect(holidays.rows.map((r) => r.day)).toContain('2026-11-26');
    expect(holidays.rows.map((r) => r.day)).not.toContain('2026-03-22'); // no Nauryz in New York
    const rule = await pool.query(
      `SELECT s.code FROM routing_rules r JOIN services s ON s.id = r.service_id JOIN districts d ON d.id = r.district_id WHERE d.code = 'brooklyn'`,
    );
    expect(rule.rows.map((r) => r.code)).toContain('nypd_brooklyn');
  });

  it('registers rows of the 311 sample in the borough the sample names, numbered 311-', async () => {
    const rows: Record<string, string>[] = parse(readFileSync(SAMPLE), { columns: true });
    const usable = rows.filter((r) => r.Latitude && r.Longitude && CATEGORY[r['Complaint Type']]).slice(0, 60);
    expect(usable.length).toBe(60);
    let agree = 0;
    for (const r of usable) {
      const res = await app.request('/api/incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({
          type: 'complaint',
          category: CATEGORY[r['Complaint Type']],
          channel: CHANNEL[r['Open Data Channel Type']] ?? 'phone',
          description: `${r['Complaint Type']}: ${r.Descriptor || 'no descriptor'} (311 sample ${r['Unique Key']})`,
          address: r['Incident Address'] || undefined,
          location: { type: 'Point', coordinates: [Number(r.Longitude), Number(r.Latitude)] },
        }),
      });
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.number).toMatch(/^311-/);
      if (body.district?.code === r.Borough.toLowerCase().replace(/ /g, '-')) agree++;
    }
    // The sample's Borough column and the borough polygons disagree for one row of 913.
    expect(agree).toBeGreaterThanOrEqual(59);
    const brooklyn = await pool.query(
      `SELECT count(*)::int AS n FROM incidents i JOIN districts d ON d.id = i.district_id JOIN services s ON s.id = i.service_id
        WHERE d.code = 'brooklyn' AND s.code <> 'nypd_brooklyn' AND i.category_id IN (SELECT id FROM categories WHERE code IN ('noise.residential', 'noise.street'))`,
    );
    expect(brooklyn.rows[0].n).toBe(0);
    const routed = await pool.query(
      `SELECT count(*)::int AS n FROM incidents i JOIN services s ON s.id = i.service_id WHERE s.code = 'nypd_brooklyn'`,
    );
    expect(routed.rows[0].n).toBeGreaterThan(0);
  });

  it('writes system notes in the pack’s language (English), not Russian', async () => {
    const res = await app.request('/api/incidents', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({
        type: 'information_request',
        category: 'other.general',
        channel: 'phone',
        description: 'When is the next bulk pickup?',
        answered: true,
        location: { type: 'Point', coordinates: [-73.9857, 40.7484] },
      }),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const { rows } = await pool.query(`SELECT note FROM incident_events WHERE incident_id = $1 AND action = 'transition'`, [id]);
    expect(rows.map((r) => r.note)).toEqual(['Advice given on the call']);
  });

  it('counts working days in New York time across both daylight-saving changes of 2026', async () => {
    const rules = await getCityRules(pool);
    // Friday 6 March 10:00 EST; one working day: Monday 9 March 18:00 EDT (22:00 UTC), after the 8 March change.
    expect(deadline(new Date('2026-03-06T15:00:00Z'), { workingDays: 1 }, rules).toISOString()).toBe('2026-03-09T22:00:00.000Z');
    // Friday 30 October 12:00 EDT; one working day: Monday 2 November 18:00 EST (23:00 UTC), after the 1 November change.
    expect(deadline(new Date('2026-10-30T16:00:00Z'), { workingDays: 1 }, rules).toISOString()).toBe('2026-11-02T23:00:00.000Z');
    // Friday 23:30 EST is already Saturday in UTC but still Friday in New York: Monday again.
    expect(deadline(new Date('2026-03-07T04:30:00Z'), { workingDays: 1 }, rules).toISOString()).toBe('2026-03-09T22:00:00.000Z');
    // Election Day 3 November is the pack's holiday: two working days from Friday 30 October end on Wednesday 4 November.
    expect(deadline(new Date('2026-10-30T16:00:00Z'), { workingDays: 2 }, rules).toISOString()).toBe('2026-11-04T23:00:00.000Z');
    // The appeals just registered got their deadline from the same rules, at 18:00 New York time.
    const { rows } = await pool.query(
      `SELECT to_char(i.due_at AT TIME ZONE 'America/New_York', 'HH24:MI') AS local_due FROM incidents i
         JOIN categories c ON c.id = i.category_id WHERE c.norm_working_days IS NOT NULL`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.local_due).toBe('18:00');
  });

  it('serves incident tiles and hotspots over New York', async () => {
    const { rows } = await pool.query(`SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents LIMIT 1`);
    const { z, x, y } = tileOf(rows[0].lng, rows[0].lat, 12);
    const tile = await app.request(`/tiles/incidents/${z}/${x}/${y}.mvt`);
    expect(tile.status).toBe(200);
    expect((await tile.arrayBuffer()).byteLength).toBeGreaterThan(20);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    // 1 km cells: New York's boroughs span ~45 km, and the embedded engine runs one query at a time.
    const hot = await get(`/api/hotspots?from=${from}&to=${to}&cell=1000`);
    expect(hot.status, JSON.stringify(hot.body)).toBe(200);
    expect(hot.body.parameters.srid).toBe(32618); // UTM zone 18N: New York's metric plane
    expect(hot.body.summary.appeals).toBe(61);
  });
});
