/**
 * The intake form's address field and pin, linked both ways, in a real browser against the real
 * server with its demo gazetteer (source 'demo'): an address typed with the keyboard only,
 * a suggestion chosen with the arrows and Enter, the pin dropped there; then a click and a drag
 * on the map, each filling the address from the reverse geocoder.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext, waitForMapIdle } from '../helpers/browser.ts';

interface House {
  street: string;
  housenumber: string;
  lng: number;
  lat: number;
}
interface ReverseAnswer {
  address: { geometry: { coordinates: [number, number] }; properties: { street: string; housenumber: string; source: string } } | null;
}

const baseUrl = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, baseUrl, 'dispatcher', { viewport: { width: 1440, height: 900 }, locale: 'ru-RU' }, pageErrors);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** The demo house the reverse geocoder names at [lng, lat], if any. */
async function houseAt(lng: number, lat: number): Promise<House | null> {
  const r = (await (await context.request.get(`${baseUrl}/api/places/reverse?lng=${lng}&lat=${lat}`)).json()) as ReverseAnswer;
  if (r.address?.properties.source !== 'demo' || !/^\d+$/.test(r.address.properties.housenumber)) return null;
  const [hl, ht] = r.address.geometry.coordinates;
  return { street: r.address.properties.street, housenumber: r.address.properties.housenumber, lng: hl, lat: ht };
}

/** A demo house near [lng, lat] (within a few hundred metres), other than `not`. */
async function houseNear(lng: number, lat: number, not?: House): Promise<House> {
  for (const [dx, dy] of [
    [0, 0],
    [0.001, 0],
    [0, 0.001],
    [-0.001, 0],
    [0, -0.001],
    [0.002, 0.001],
    [-0.002, -0.001],
  ]) {
    const h = await houseAt(lng + dx, lat + dy);
    if (h && !(not && h.street === not.street && h.housenumber === not.housenumber)) return h;
  }
  throw new Error(`no demo house near ${lng},${lat}`);
}

type TestMap = {
  project(p: [number, number]): { x: number; y: number };
  jumpTo(o: object): void;
  getCenter(): { lng: number; lat: number };
};
const project = (page: Page, at: [number, number]) =>
  page.evaluate((p) => (window as unknown as { __jardemMap: TestMap }).__jardemMap.project(p), at);
const pinAt = async (page: Page) => [
  Number(await page.getByTestId('intake-lng').inputValue()),
  Number(await page.getByTestId('intake-lat').inputValue()),
];

describe('intake: address and pin', () => {
  it('finds a typed address with the keyboard only, drops the pin there, and fills the address from a click and a drag', async () => {
    const meta = (await (await context.request.get(`${baseUrl}/api/meta`)).json()) as { districts: { lng: number; lat: number }[] };
    const typed = await houseNear(meta.districts[0].lng, meta.districts[0].lat);
    const clicked = await houseNear(meta.districts[1].lng, meta.districts[1].lat);
    // Near the clicked one, so that a drag stays within the view.
    const dragged = await houseNear(clicked.lng + 0.0015, clicked.lat + 0.001, clicked);

    const page = await context.newPage();
    await page.goto(`${baseUrl}/intake`);
    await page.getByTestId('intake-form').waitFor({ timeout: 30_000 });
    await waitForMapIdle(page);

    // Keyboard only: from the phone field, Tab reaches the address field.
    await page.locator('#intake-phone').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('intake-address');
    const input = page.getByTestId('intake-address-input');
    expect(await input.getAttribute('role')).toBe('combobox');
    // Typed as a dispatcher would: lower case, no comma.
    await page.keyboard.type(`${typed.street.toLowerCase()} ${typed.housenumber}`, { delay: 30 });
    const options = page.getByTestId('intake-address-option');
    await options.first().waitFor({ timeout: 15_000 });
    expect(await input.getAttribute('aria-expanded')).toBe('true');
    const first = options.first();
    expect(await first.getAttribute('data-kind')).toBe('address');
    expect(await first.textContent()).toContain(`${typed.street}, ${typed.housenumber}`);
    // Demo data says so.
    expect(await first.getAttribute('data-source')).toBe('demo');
    expect(await page.getByTestId('intake-address-demo').isVisible()).toBe(true);

    await page.keyboard.press('ArrowDown');
    const firstId = await first.getAttribute('id');
    expect(await input.getAttribute('aria-activedescendant')).toBe(firstId);
    expect(await first.getAttribute('aria-selected')).toBe('true');
    await page.screenshot({ path: 'test-results/intake-address-suggestions.png' });
    await page.keyboard.press('Enter');

    // The pin drops on the house, the map flies there, the address reads as the gazetteer writes it.
    await expect.poll(() => pinAt(page), { timeout: 10_000 }).toEqual([typed.lng, typed.lat]);
    expect(await input.getAttribute('aria-expanded')).toBe('false');
    expect(await input.inputValue()).toBe(`${typed.street}, ${typed.housenumber}`);
    expect(await page.getByTestId('intake-form').count()).toBe(1); // Enter did not submit the form
    const marker = page.getByTestId('intake-marker');
    expect(Number(await marker.getAttribute('data-lng'))).toBe(typed.lng);
    await waitForMapIdle(page);
    const centre = await page.evaluate(() => (window as unknown as { __jardemMap: TestMap }).__jardemMap.getCenter());
    expect(Math.abs(centre.lng - typed.lng)).toBeLessThan(1e-4);
    expect(Math.abs(centre.lat - typed.lat)).toBeLessThan(1e-4);

    // A click on another house: the pin moves and the address follows.
    await page.evaluate((c) => (window as unknown as { __jardemMap: TestMap }).__jardemMap.jumpTo({ center: c, zoom: 16 }), [
      clicked.lng,
      clicked.lat,
    ] as [number, number]);
    await waitForMapIdle(page);
    const box = (await page.getByTestId('map').boundingBox())!;
    const c = await project(page, [clicked.lng, clicked.lat]);
    await page.mouse.click(box.x + c.x, box.y + c.y);
    await expect.poll(() => input.inputValue(), { timeout: 10_000 }).toBe(`${clicked.street}, ${clicked.housenumber}`);
    const [lng1, lat1] = await pinAt(page);
    expect(Math.abs(lng1 - clicked.lng)).toBeLessThan(1e-4);
    expect(Math.abs(lat1 - clicked.lat)).toBeLessThan(1e-4);
    expect(await page.getByTestId('intake-here').textContent()).toContain(`${clicked.street}, ${clicked.housenumber}`);

    // Both stay editable: the dispatcher adds a flat; the text is kept and the place found is offered beside it.
    await input.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(', кв. 4');
    await page.keyboard.press('Escape');
    expect(await input.inputValue()).toBe(`${clicked.street}, ${clicked.housenumber}, кв. 4`);
    await page.getByTestId('intake-here-use').waitFor();

    // A drag of the pin to a third house: the address follows again.
    await page.evaluate((c) => (window as unknown as { __jardemMap: TestMap }).__jardemMap.jumpTo({ center: c, zoom: 15 }), [
      (clicked.lng + dragged.lng) / 2,
      (clicked.lat + dragged.lat) / 2,
    ] as [number, number]);
    await waitForMapIdle(page);
    const from = await project(page, [lng1, lat1]);
    const to = await project(page, [dragged.lng, dragged.lat]);
    const grip = (await marker.boundingBox())!;
    const gx = grip.x + grip.width / 2;
    const gy = grip.y + grip.height / 2;
    await page.mouse.move(gx, gy);
    await page.mouse.down();
    await page.mouse.move(gx + (to.x - from.x) / 2, gy + (to.y - from.y) / 2, { steps: 5 });
    await page.mouse.move(gx + (to.x - from.x), gy + (to.y - from.y), { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => input.inputValue(), { timeout: 10_000 }).toBe(`${dragged.street}, ${dragged.housenumber}`);
    const [lng2, lat2] = await pinAt(page);
    // zoom 15: a pixel is about 3.5 m
    expect(Math.abs(lng2 - dragged.lng)).toBeLessThan(2e-4);
    expect(Math.abs(lat2 - dragged.lat)).toBeLessThan(2e-4);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
