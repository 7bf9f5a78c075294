/**
 * The outage register's screen (issue 18, item 3) in a real browser against the real server with
 * demo data: a dispatcher opens /outages from the navigation, draws an area on the map by clicks,
 * registers an emergency outage, sees it in the list and on the map, then closes it. Screenshots
 * at 1366×768 go to test-results/ for a look.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext, waitForMapIdle } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const SHOTS = 'test-results';

interface Feature {
  id: number;
  properties: { id: number; status: string; kind: string; services: { code: string }[]; notice: { en: string | null } };
}

async function outageIds(): Promise<number[]> {
  const res = await context.request.get(`${baseUrl}/api/outages?limit=1000`);
  return ((await res.json()) as { features: Feature[] }).features.map((f) => f.properties.id);
}

type TestMap = {
  jumpTo(o: object): void;
  queryRenderedFeatures(o: object): { properties: { id: number } }[];
};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  context = await signedInContext(browser, baseUrl, 'dispatcher', { viewport: { width: 1366, height: 768 }, locale: 'ru-RU' }, pageErrors);
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('the outage register screen', () => {
  it('lets a dispatcher draw an outage on the map, register it, see it in the list and on the map, and close it', async () => {
    await page.goto(`${baseUrl}/intake`);
    // The register is in the dispatcher's navigation.
    await page.locator('nav a[href="/outages"]').click();
    await page.waitForURL(/\/outages/);
    await waitForMapIdle(page);
    await page.screenshot({ path: `${SHOTS}/outages-list-1366.png` });

    const before = await outageIds();
    // A district's label point: inside the city.
    const meta = (await (await context.request.get(`${baseUrl}/api/meta`)).json()) as { districts: { lng: number; lat: number }[] };
    const { lng, lat } = meta.districts[0];
    await page.evaluate(([a, b]) => (window as unknown as { __jardemMap: TestMap }).__jardemMap.jumpTo({ center: [a, b], zoom: 15 }), [
      lng,
      lat,
    ] as const);
    await waitForMapIdle(page);

    await page.getByTestId('outreg-new').click();
    await expect.poll(() => page.getByTestId('outreg-form').isVisible()).toBe(true);
    // Nothing filled in: the form says what is missing, in the interface's language (the city's: Russian).
    await page.getByTestId('outreg-submit').click();
    expect(await page.getByTestId('outreg-error').textContent()).toContain('Выберите хотя бы одну службу');

    await page.getByTestId('outreg-services').locator('input[type="checkbox"]').first().check();
    await page.getByTestId('outreg-notice-en').fill('No water: a burst main. Expected back by the evening.');

    // Four clicks around the map's centre make a square; the last one is undone and clicked again.
    const box = (await page.getByTestId('map').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const corners: [number, number][] = [
      [-70, -70],
      [70, -70],
      [70, 70],
      [-70, 70],
    ];
    for (const [dx, dy] of corners) await page.mouse.click(cx + dx, cy + dy);
    await expect.poll(() => page.getByTestId('outreg-vertices').getAttribute('data-n')).toBe('4');
    await page.getByTestId('outreg-undo').click();
    await expect.poll(() => page.getByTestId('outreg-vertices').getAttribute('data-n')).toBe('3');
    await page.mouse.click(cx - 70, cy + 70);
    await expect.poll(() => page.getByTestId('outreg-vertices').getAttribute('data-n')).toBe('4');
    await page.getByTestId('outreg-finish').click();
    // Finished: another click adds nothing.
    await page.mouse.click(cx, cy + 100);
    expect(await page.getByTestId('outreg-vertices').getAttribute('data-n')).toBe('4');
    await page.screenshot({ path: `${SHOTS}/outages-form-1366.png` });

    await page.getByTestId('outreg-submit').click();
    await expect.poll(() => page.getByTestId('outreg-done').isVisible(), { timeout: 15_000 }).toBe(true);
    const added = (await outageIds()).filter((id) => !before.includes(id));
    expect(added).toHaveLength(1);
    const id = added[0];
    const stored = (await (await context.request.get(`${baseUrl}/api/outages/${id}`)).json()) as Feature & {
      geometry: { coordinates: number[][][][] };
    };
    expect(stored.properties.kind).toBe('emergency');
    expect(stored.properties.status).toBe('active');
    expect(stored.properties.notice.en).toContain('burst main');
    expect(stored.geometry.coordinates[0][0]).toHaveLength(5);

    // In the list, active, with its calls and estimate…
    const item = page.locator(`[data-testid="outreg-item"][data-id="${id}"]`);
    await expect.poll(() => item.getAttribute('data-status')).toBe('active');
    expect(await item.textContent()).toContain('звонков: 0');
    // …and on the map.
    await waitForMapIdle(page);
    await expect
      .poll(() =>
        page.evaluate(
          (n) =>
            (window as unknown as { __jardemMap: TestMap }).__jardemMap
              .queryRenderedFeatures({ layers: ['outage-fill'] })
              .some((f) => f.properties.id === n),
          id,
        ),
      )
      .toBe(true);
    await page.screenshot({ path: `${SHOTS}/outages-registered-1366.png` });

    // Closed: it moves to the recently ended and leaves the map.
    await item.getByTestId('outreg-close').click();
    await expect.poll(() => page.locator(`[data-testid="outreg-ended"] [data-id="${id}"]`).getAttribute('data-status')).toBe('ended');
    const closed = (await (await context.request.get(`${baseUrl}/api/outages/${id}`)).json()) as Feature;
    expect(closed.properties.status).toBe('ended');
    await waitForMapIdle(page);
    await expect
      .poll(() =>
        page.evaluate(
          (n) =>
            (window as unknown as { __jardemMap: TestMap }).__jardemMap
              .queryRenderedFeatures({ layers: ['outage-fill'] })
              .some((f) => f.properties.id === n),
          id,
        ),
      )
      .toBe(false);
    // The screen in Kazakh and English too (for a look at the longer words).
    for (const lang of ['kk', 'en']) {
      await page.getByTestId(`lang-${lang}`).click();
      await page.getByTestId('outreg-new').click();
      await page.screenshot({ path: `${SHOTS}/outages-form-${lang}-1366.png` });
      await page.getByTestId('outreg-cancel').click();
    }
    expect(await page.getByTestId('outreg-new').textContent()).toContain('Register an outage');
    await page.getByTestId('lang-ru').click();
    expect(pageErrors).toEqual([]);
  });

  it('registers an area from a street picked with the keyboard, and on a stale edit says so and reloads', async () => {
    await page.goto(`${baseUrl}/outages`);
    await waitForMapIdle(page);
    const before = await outageIds();
    await page.getByTestId('outreg-new').click();
    await page.getByTestId('outreg-services').locator('input[type="checkbox"]').nth(1).check();
    await page.getByTestId('outreg-notice-ru').fill('Плановые работы на водопроводе.');
    // The keyboard's path: the area radio group, then the gazetteer's combobox.
    await page.getByTestId('outreg-mode-draw').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('outreg-mode-places').isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Пушкина');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('outreg-picked').locator('li').count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('outreg-submit').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('outreg-done').isVisible(), { timeout: 15_000 }).toBe(true);
    const added = (await outageIds()).filter((id) => !before.includes(id));
    expect(added).toHaveLength(1);
    const id = added[0];
    const stored = (await (await context.request.get(`${baseUrl}/api/outages/${id}`)).json()) as {
      properties: { version: number; area_source: { kind: string; buffer_m: number } };
    };
    expect(stored.properties.area_source.kind).toBe('places');
    expect(stored.properties.area_source.buffer_m).toBe(40);

    // Opened for editing, then changed by someone else meanwhile.
    await page.locator(`[data-testid="outreg-item"][data-id="${id}"]`).getByTestId('outreg-edit').click();
    const status = await page.evaluate(
      async ([n, v]) => {
        const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
        const r = await fetch(`/api/outages/${n}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
          body: JSON.stringify({ version: v, kind: 'planned' }),
        });
        return r.status;
      },
      [id, stored.properties.version] as const,
    );
    expect(status).toBe(200);
    await page.getByTestId('outreg-notice-en').fill('Planned works on the water mains.');
    await page.getByTestId('outreg-submit').click();
    await expect.poll(() => page.getByTestId('outreg-reload').isVisible()).toBe(true);
    expect(await page.getByTestId('outreg-error').textContent()).toContain('тем временем изменили');
    await page.screenshot({ path: `${SHOTS}/outages-stale-1366.png` });
    await page.getByTestId('outreg-reload').click();
    // Reloaded: the other change shows (planned works now), and saving goes through.
    await expect.poll(() => page.locator('input[name="kind"][value="planned"]').isChecked()).toBe(true);
    expect(await page.getByTestId('outreg-error').count()).toBe(0);
    await page.getByTestId('outreg-notice-en').fill('Planned works on the water mains.');
    await page.getByTestId('outreg-submit').click();
    await expect.poll(() => page.getByTestId('outreg-done').isVisible(), { timeout: 15_000 }).toBe(true);
    const saved = (await (await context.request.get(`${baseUrl}/api/outages/${id}`)).json()) as {
      properties: { kind: string; notice: { en: string | null; ru: string | null } };
    };
    expect(saved.properties.kind).toBe('planned');
    expect(saved.properties.notice).toMatchObject({ en: 'Planned works on the water mains.', ru: 'Плановые работы на водопроводе.' });
    expect(pageErrors).toEqual([]);
  });
});
