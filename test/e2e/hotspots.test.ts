/**
 * The officials' hot spot screen in a real browser against the real server with demo data: the
 * Gi* hexagons drawn on the map, the ranked table matching /api/hotspots for the same period,
 * the service league and the month comparison, and the printable report (print media).
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, testContext, waitForMapIdle } from '../helpers/browser.ts';

interface HotFeature {
  properties: { id: string; count: number; class: string; z: number | null };
}

const baseUrl = inject('baseUrl');
const SHOTS = '.tmp';
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  context = await testContext(browser, { viewport: { width: 1920, height: 1080 }, locale: 'ru-RU' });
  context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** The last 30 days as the page computes them (bare dates in the city, UTC+5). */
function last30(): { from: string; to: string } {
  const today = new Date(Date.now() + 5 * 3600_000);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const from = new Date(today);
  from.setUTCDate(from.getUTCDate() - 29);
  const to = new Date(today);
  to.setUTCDate(to.getUTCDate() + 1);
  return { from: day(from), to: day(to) };
}

describe('hot spots screen', () => {
  it('draws the hot cells and ranks them as the API does', async () => {
    await page.goto(`${baseUrl}/hotspots`);
    await page.getByTestId('hotspots').waitFor({ timeout: 30_000 });
    await waitForMapIdle(page);

    const { from, to } = last30();
    const res = await context.request.get(`${baseUrl}/api/hotspots?from=${from}&to=${to}`);
    expect(res.status()).toBe(200);
    const api = (await res.json()) as { features: HotFeature[] };
    const hot = api.features.filter((f) => f.properties.class.startsWith('hot'));
    expect(hot.length).toBeGreaterThan(0);

    // the map's source holds the hot cells
    await page.waitForFunction(
      () => {
        const map = (window as unknown as { __jardemMap: { querySourceFeatures(s: string): { properties: { class: string } }[] } })
          .__jardemMap;
        return map.querySourceFeatures('hotspots').some((f) => f.properties.class.startsWith('hot'));
      },
      undefined,
      { timeout: 30_000 },
    );

    // the table: one row per hot cell, strongest first, counts and classes as served
    const rows = page.getByTestId('hot-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(hot.length);
    const strongest = [...hot].sort((a, b) => (b.properties.z ?? 0) - (a.properties.z ?? 0))[0].properties;
    const first = rows.first();
    expect(await first.getAttribute('data-id')).toBe(strongest.id);
    expect(Number(await first.getAttribute('data-count'))).toBe(strongest.count);
    expect(await first.getAttribute('data-class')).toBe(strongest.class);

    await expect.poll(() => page.getByTestId('league-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="hot-compare"] tbody tr').count(), { timeout: 30_000 }).toBe(4);

    await waitForMapIdle(page);
    await page.screenshot({ path: `${SHOTS}/hotspots.png` });
    expect(pageErrors).toEqual([]);
  });

  it('links a row to its cell on the map, explains z, and compares like with like', async () => {
    await page.emulateMedia({ media: 'screen' });
    const first = page.getByTestId('hot-row').first();
    const id = await first.getAttribute('data-id');
    await first.getByTestId('hot-row-show').click();
    // the cell's figures open on the map, its own count and its neighbourhood's
    const popup = page.getByTestId('hot-popup');
    await popup.waitFor({ timeout: 15_000 });
    expect(await popup.textContent()).toContain('С соседними');
    expect(await first.getAttribute('class')).toContain('shown');
    const centreInCell = () =>
      page.evaluate((cell) => {
        const map = (
          window as unknown as {
            __jardemMap: {
              getCenter(): { lng: number; lat: number };
              querySourceFeatures(s: string): { properties: { id: string }; geometry: { coordinates: number[][][] } }[];
            };
          }
        ).__jardemMap;
        // A source's features come cut along its tiles' edges: the cell is all the pieces with its id.
        const ring = map
          .querySourceFeatures('hotspots')
          .filter((x) => x.properties.id === cell)
          .flatMap((x) => x.geometry.coordinates[0]);
        if (!ring.length) return false;
        const c = map.getCenter();
        const xs = ring.map((p) => p[0]);
        const ys = ring.map((p) => p[1]);
        return c.lng >= Math.min(...xs) && c.lng <= Math.max(...xs) && c.lat >= Math.min(...ys) && c.lat <= Math.max(...ys);
      }, id);
    // the map eases there
    await expect.poll(centreInCell, { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('hot-z-note').textContent()).toMatch(/стандартных отклонениях/);

    // this month to date against the same number of days of last month
    await page.getByTestId('hot-period').selectOption('month');
    const span = async (testid: string) => (await page.getByTestId(testid).locator('small').textContent())!.trim();
    await expect.poll(() => span('hot-compare-current')).toMatch(/^1 /);
    const days = (text: string) => {
      const [a, b] = text.split(' – ').map((d) => Number(d.match(/^\d+/)![0]));
      return b - a + 1;
    };
    expect(days(await span('hot-compare-previous'))).toBe(days(await span('hot-compare-current')));
    await page.getByTestId('hot-period').selectOption('30d');
  });

  it('prints a report: controls hidden, date, filters and tables shown', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('hot-controls').isVisible()).toBe(false);
    expect(await page.locator('header').first().isVisible()).toBe(false);
    expect(await page.getByTestId('hot-report-date').isVisible()).toBe(true);
    expect(await page.getByTestId('hot-report-filters').isVisible()).toBe(true);
    expect(await page.getByTestId('hot-report-filters').textContent()).toContain('30');
    for (const id of ['hot-table', 'hot-league', 'hot-compare', 'map']) {
      expect(await page.getByTestId(id).isVisible()).toBe(true);
    }
    await page.screenshot({ path: `${SHOTS}/hotspots-print.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByTestId('hot-controls').isVisible()).toBe(true);
  });
});
