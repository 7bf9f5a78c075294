/**
 * Issue 21: the control room with the New York test pack (test/fixtures/nyc), on a server of its
 * own: the centre's name and number, the city's language and the boroughs come from the pack.
 * Screenshot: .tmp/e2e-nyc-control-room.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signedInContext, waitForMapIdle } from '../helpers/browser.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { sharedData } from '../helpers/shared-data.ts';

const PACK = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/nyc');
const SHOTS = '.tmp';
const dir = mkdtempSync(join(tmpdir(), 'jardem-e2e-nyc-'));
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const shared = resolve(dirname(sharedData('nyc/nyc-boroughs.geojson')), '..');
  server = await startServer({
    port: await freePort(),
    dataDir: dir,
    demoCount: 400,
    env: { JARDEM_CITY: PACK, JARDEM_DEMO: 'true', JARDEM_SHARED_DATA: shared },
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('control room with the New York pack', () => {
  it('shows NYC 311, the 311 number, English by default and the five boroughs', async () => {
    const errors: string[] = [];
    const context = await signedInContext(browser, server.baseUrl, 'official', { viewport: { width: 1600, height: 900 } }, errors);
    const page = await context.newPage();
    await page.goto(server.baseUrl + '/');
    await waitForMapIdle(page);
    expect(await page.getByTestId('centre-name').textContent()).toBe('NYC 311');
    expect(await page.locator('header .logo').first().textContent()).toBe('311');
    expect(await page.getByTestId('city-name').textContent()).toBe('New York City');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    const body = await page.locator('body').innerText();
    expect(body).not.toMatch(/Jardem 109|109 phone/);
    for (const borough of ['Brooklyn', 'Queens', 'Manhattan', 'Bronx', 'Staten Island']) expect(body).toContain(borough);
    await page.screenshot({ path: `${SHOTS}/e2e-nyc-control-room.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
