import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { prepareDatabase } from '../../server/boot.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';
import { importDistricts, readFeatures } from '../../server/geodata/import.ts';
import { appPage } from '../../server/meta/app-page.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { sharedData } from '../helpers/shared-data.ts';

/**
 * Issue 21, city packs, the demo: the New York test pack (test/fixtures/nyc) started in demo
 * mode on a database of its own. The demo history follows New York's clocks through daylight
 * saving (walk-in appeals only come in office hours, 09:00–18:00 on New York's clocks, in
 * winter and in summer alike), and the names the server writes itself — the demo accounts'
 * display names and the app page's title — come from the pack (English, "NYC 311"), not from
 * Taraz's Russian and "Jardem 109".
 */
const PACK = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/nyc');
const INDEX_HTML = resolve(dirname(fileURLToPath(import.meta.url)), '../../client/index.html');
const BOROUGHS = sharedData('nyc/nyc-boroughs.geojson');
process.env.JARDEM_SHARED_DATA ??= resolve(dirname(BOROUGHS), '..');

const engine = inject('engine');
let db: Awaited<ReturnType<typeof freshDatabase>>;
let pool: ReturnType<typeof createPool>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await freshDatabase(engine, 'nycdemo');
  pool = createPool(db.url, 4, 'America/New_York');
  const { migrate } = await import('../../server/db/migrate.ts');
  await migrate(pool);
  const client = await pool.connect();
  try {
    const { features, srid } = await readFeatures(BOROUGHS);
    await importDistricts(client, features, { code: 'BoroName', nameKk: 'BoroName', nameRu: 'BoroName', nameEn: 'BoroName' }, { srid });
  } finally {
    client.release();
  }
  await prepareDatabase(pool, { city: PACK, demo: true, demoCount: 1200 });
  app = createApp({ pool, engine, config: loadConfig({ JARDEM_CITY: PACK, JARDEM_DEMO: 'true', LOG_LEVEL: 'silent' }) });
}, 240_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('the New York pack in demo mode', () => {
  it("registers walk-in appeals in office hours on New York's clocks, in winter and in summer", async () => {
    // PostgreSQL's own time zone data reads the instants: hour and weekday on New York's clocks,
    // and the offset in force then (−4 h in summer time, −5 h in winter).
    const { rows } = await pool.query<{ h: number; dow: number; offset_h: number }>(
      `SELECT extract(hour FROM created_at AT TIME ZONE 'America/New_York')::int AS h,
              extract(isodow FROM created_at AT TIME ZONE 'America/New_York')::int AS dow,
              (extract(epoch FROM (created_at AT TIME ZONE 'America/New_York') - (created_at AT TIME ZONE 'UTC')) / 3600)::int AS offset_h
         FROM incidents WHERE channel = 'walk_in'`,
    );
    const summer = rows.filter((r) => r.offset_h === -4);
    const winter = rows.filter((r) => r.offset_h === -5);
    expect(summer.length + winter.length).toBe(rows.length);
    const outside = (list: typeof rows) => list.filter((r) => r.h < 9 || r.h >= 18).map((r) => r.h);
    expect(outside(summer)).toEqual([]);
    expect(outside(winter)).toEqual([]);
    // Both seasons hold walk-ins (about 3 % of 1,200 appeals over a year: a handful in each).
    expect(summer.length).toBeGreaterThan(2);
    expect(winter.length).toBeGreaterThan(2);
    // On working days (the pack's calendar has no Saturday or Sunday office).
    expect(rows.filter((r) => r.dow > 5).length).toBe(0);
  });

  it('names the demo accounts in English after the NYC 311 centre', async () => {
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { user } = (await login.json()) as { user: { name: string } };
    expect(user.name).toBe('Administrator · NYC 311');
    const { rows } = await pool.query<{ login: string; name: string }>('SELECT login, name FROM users WHERE is_demo ORDER BY login');
    expect(rows.map((r) => r.login)).toEqual(['admin', 'dispatcher', 'display', 'executor', 'official', 'supervisor']);
    for (const r of rows) {
      expect(r.name, r.login).toMatch(/ · NYC 311$/);
      expect(r.name, r.login).not.toMatch(/[А-яӘәҒғҚқҢңӨөҰұҮүІі]|109/);
    }
    expect(rows.find((r) => r.login === 'dispatcher')!.name).toBe('Dispatcher · NYC 311');
  });

  it("titles the app's page after the centre, in the pack's language", async () => {
    const html = readFileSync(INDEX_HTML, 'utf8');
    const page = new Hono().get('/', appPage(pool, html));
    const res = await page.request('/');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/<title>NYC 311<\/title>/);
    expect(body).toMatch(/<html lang="en"/);
    expect(body).not.toMatch(/Jardem 109|%3E109%3C/);
    expect(body).toMatch(/%3E311%3C/);
    // The rest of the page is the client's own.
    expect(body).toContain('<script type="module" src="/src/main.ts"></script>');
  });
});
