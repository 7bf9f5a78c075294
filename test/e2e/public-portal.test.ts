/**
 * The citizens' portal /public (issue 20) in a real browser against the real server with demo
 * data, in Kazakh, Russian and English, on a 360×640 phone: no sign-in; the map draws the
 * public incident tiles over the offline base map and follows the filters; districts and
 * services show the figures of /api/stats; "my appeal" finds an appeal by its number and the
 * phone's last four digits and finds nothing with wrong digits. Screenshots go to .tmp/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { canvasVariety, launchBrowser, testContext, waitForMapIdle } from '../helpers/browser.ts';
import { type CitizenAppeal, citizenAppeal } from '../helpers/citizen.ts';

const baseUrl = inject('baseUrl');
const SHOTS = '.tmp';
const LANGS = ['kk', 'ru', 'en'] as const;
const NAV = { kk: 'Аудандар', ru: 'Районы', en: 'Districts' };
const PHONE = { width: 360, height: 640 };
let browser: Browser;
let context: BrowserContext;
const pageErrors: string[] = [];
/** Requests the portal made before the map section asked for the map. */
let appeal: CitizenAppeal;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await testContext(browser, { viewport: PHONE, locale: 'ru-RU', isMobile: true, hasTouch: true });
  context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
  mkdirSync(SHOTS, { recursive: true });
  appeal = await citizenAppeal(baseUrl, '+7 705 321 65 87', 'Яму заделали асфальтом');
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Nothing wider than the screen, and no two of the given elements overlapping. */
async function expectFits(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
  const boxes = await page.evaluate(() =>
    ['header', 'nav', '.filters', '.map-box', '.hint']
      .map((s) => document.querySelector(s)?.getBoundingClientRect())
      .filter((r): r is DOMRect => !!r)
      .map((r) => ({ top: r.top, bottom: r.bottom })),
  );
  for (let i = 1; i < boxes.length; i++) expect(boxes[i].top).toBeGreaterThanOrEqual(boxes[i - 1].bottom - 0.5);
}

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(baseUrl + path);
  return page;
}

/** The tile URL the map's incident source now requests. */
const tileUrl = (page: Page) =>
  page
    .evaluate(
      () =>
        (window as unknown as { __jardemMap: import('maplibre-gl').Map }).__jardemMap.getStyle().sources.incidents as { tiles: string[] },
    )
    .then((s) => s.tiles[0]);

describe('the map section', () => {
  for (const lang of LANGS) {
    it(`draws the appeals over the base map on a phone in ${lang}, nothing overflowing`, async () => {
      const page = await open(`/public?lang=${lang}`);
      await waitForMapIdle(page);
      await expect.poll(() => page.locator('nav').textContent()).toContain(NAV[lang]);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
      const drawn = await page.evaluate(
        () =>
          (window as unknown as { __jardemMap: import('maplibre-gl').Map }).__jardemMap.queryRenderedFeatures({ layers: ['public-cells'] })
            .length,
      );
      expect(drawn).toBeGreaterThan(0);
      expect(await canvasVariety(page)).toBeGreaterThan(0.05);
      await expectFits(page);
      await page.screenshot({ path: `${SHOTS}/public-map-${lang}-360.png` });
      await page.close();
    });
  }

  it('loads MapLibre only for the map: the other sections never fetch it', async () => {
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
    await page.goto(`${baseUrl}/public/services`);
    await page.getByTestId('service-cards').waitFor();
    expect(scripts.some((u) => /PublicMap|offline-style/.test(u))).toBe(false);
    await page.close();
  });

  it('follows the status and sphere filters', async () => {
    const page = await open('/public');
    await waitForMapIdle(page);
    expect(await tileUrl(page)).toMatch(/status=open/);
    await page.getByTestId('filter-status').selectOption('overdue');
    await expect.poll(() => tileUrl(page)).toMatch(/status=overdue/);
    // The sphere list follows the status: wait for the overdue one (the open one may still show).
    const overdue = await (await fetch(`${baseUrl}/api/stats/by-category?level=sphere&status=overdue`)).json();
    expect(overdue.items.length).toBeGreaterThan(0);
    const sphere: string = overdue.items[0].code;
    await expect.poll(() => page.getByTestId('filter-sphere').locator(`option[value="${sphere}"]`).count()).toBe(1);
    await page.getByTestId('filter-sphere').selectOption(sphere);
    await expect.poll(() => tileUrl(page)).toContain(`category=${sphere}`);
    await waitForMapIdle(page);
    await page.close();
  });
});

describe('districts and services', () => {
  it('lists every district with the figures of /api/stats/by-district, and opens a district’s page', async () => {
    const page = await open('/public/districts?lang=en');
    await page.getByTestId('district-cards').waitFor();
    const stats = await (await fetch(`${baseUrl}/api/stats/by-district`)).json();
    expect(await page.getByTestId('district-cards').locator('li').count()).toBe(stats.items.length);
    await expectFits(page);
    await page.screenshot({ path: `${SHOTS}/public-districts-en-360.png`, fullPage: true });
    const first = stats.items[0];
    await page.getByRole('link', { name: first.name.en }).click();
    await page.getByTestId('district-card').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/public/districts/${first.code}`);
    const card = await page.getByTestId('district-card').textContent();
    expect(card).toContain(first.on_time_rate === null ? '—' : `${Math.round(first.on_time_rate * 100)} %`);
    await page.getByTestId('service-cards').waitFor();
    await expectFits(page);
    await page.screenshot({ path: `${SHOTS}/public-district-en-360.png`, fullPage: true });
    await page.close();
  });

  for (const lang of LANGS) {
    it(`shows services' on-time %, median and ratings in ${lang}`, async () => {
      const page = await open(`/public/services?lang=${lang}`);
      await page.getByTestId('service-cards').waitFor();
      const cards = page.getByTestId('service-cards').locator('li');
      expect(await cards.count()).toBeGreaterThan(0);
      expect(await cards.first().textContent()).toMatch(/\d+ %/);
      await expectFits(page);
      await page.screenshot({ path: `${SHOTS}/public-services-${lang}-360.png` });
      await page.close();
    });
  }
});

describe('my appeal', () => {
  for (const lang of LANGS) {
    it(`shows status, service, deadline, timeline and what was done with the right digits, nothing with wrong ones (${lang})`, async () => {
      const page = await open(`/public/status?lang=${lang}`);
      await page.locator('input[name=number]').fill(appeal.number);
      await page.locator('input[name=phone4]').fill('0000');
      await page.locator('button[type=submit]').click();
      await page.getByTestId('status-problem').waitFor();
      expect(await page.getByTestId('status-result').count()).toBe(0);
      await page.locator('input[name=phone4]').fill(appeal.phone4);
      await page.locator('button[type=submit]').click();
      const result = page.getByTestId('status-result');
      await result.waitFor();
      const text = (await result.textContent())!;
      expect(text).toContain(appeal.number);
      expect(text).toContain('Яму заделали асфальтом');
      expect(await result.locator('.timeline li').count()).toBe(4);
      expect(text).not.toMatch(/Жители двора|321 65 87/);
      await expectFits(page);
      await page.screenshot({ path: `${SHOTS}/public-status-${lang}-360.png`, fullPage: true });
      await page.close();
    });
  }

  it('opens at once from the citizen’s link (?number=&token=)', async () => {
    const page = await open(`/public/status?number=${appeal.number}&token=${appeal.token}`);
    await page.getByTestId('status-result').waitFor();
    expect(await page.getByTestId('status-result').textContent()).toContain(appeal.number);
    await page.close();
  });

  it('threw no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
