/**
 * A dispatcher registers a call from inside a known outage and answers it in one step (issue 18,
 * item 3): in a real browser against the real server with demo data, the intake shows the demo
 * heating outage's banner as soon as a heating category and a point inside its area are chosen,
 * and "known outage until HH:MM" closes the appeal, links it and adds to the outage's calls.
 */
import pointOnFeature from '@turf/point-on-feature';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext, waitForMapIdle } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;
const pageErrors: string[] = [];

interface Outage {
  id: number;
  geometry: GeoJSON.MultiPolygon;
  properties: { kind: string; notice: { ru: string | null }; call_count: number };
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, baseUrl, 'dispatcher', { viewport: { width: 1600, height: 1000 }, locale: 'ru-RU' }, pageErrors);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Clicks the map at [lng, lat] (projected by the page's own map). */
async function clickMapAt(page: Page, lng: number, lat: number) {
  await page.evaluate(
    ([a, b]) => (window as unknown as { __jardemMap: { jumpTo(o: object): void } }).__jardemMap.jumpTo({ center: [a, b], zoom: 16 }),
    [lng, lat] as const,
  );
  await waitForMapIdle(page);
  const { x, y } = await page.evaluate(
    ([a, b]) =>
      (window as unknown as { __jardemMap: { project(p: [number, number]): { x: number; y: number } } }).__jardemMap.project([a, b]),
    [lng, lat] as const,
  );
  const box = await page.getByTestId('map').boundingBox();
  await page.mouse.click(box!.x + x, box!.y + y);
}

async function heatingOutage(): Promise<Outage> {
  const res = await context.request.get(`${baseUrl}/api/outages?active=true&kind=emergency`);
  const body = (await res.json()) as { features: Outage[] };
  const found = body.features.find((f) => f.properties.notice.ru?.includes('теплотрасс'));
  expect(found).toBeDefined();
  return found!;
}

describe('outages at intake', () => {
  it('shows the outage at a point inside it and answers the call from it in one step', async () => {
    const outage = await heatingOutage();
    const [lng, lat] = pointOnFeature(outage.geometry).geometry.coordinates;
    const page = await context.newPage();
    await page.goto(`${baseUrl}/intake`);
    await page.getByTestId('intake-form').waitFor({ timeout: 30_000 });
    await waitForMapIdle(page);

    await page.getByTestId('intake-category').fill('Нет отопления');
    await page.getByTestId('intake-category-option').first().waitFor();
    await page.getByTestId('intake-category').press('Enter');
    expect(await page.getByTestId('intake-category-chosen').getAttribute('data-code')).toMatch(/^heating\.no_heating/);
    expect(await page.getByTestId('intake-outage').count()).toBe(0);

    await clickMapAt(page, lng, lat);
    const banner = page.getByTestId('intake-outage');
    await banner.waitFor({ timeout: 20_000 });
    expect(Number(await banner.getAttribute('data-id'))).toBe(outage.id);
    const text = (await banner.textContent())!;
    expect(text).toContain('авария на теплотрассе');
    expect(text).toMatch(/до \d\d:\d\d/);

    // One step: no description typed, no other field — the answer is the call's record.
    await page.getByTestId('intake-outage-answer').click();
    const done = page.getByTestId('intake-outage-done');
    await done.waitFor({ timeout: 20_000 });
    expect(Number(await done.getAttribute('data-outage'))).toBe(outage.id);
    const id = Number(await page.getByTestId('intake-number').getAttribute('data-id'));

    const incident = (await (await context.request.get(`${baseUrl}/api/incidents/${id}`)).json()) as {
      properties: { status: string; resolution: string };
    };
    expect(incident.properties).toMatchObject({ status: 'closed', resolution: 'consulted' });
    const after = (await (await context.request.get(`${baseUrl}/api/outages/${outage.id}`)).json()) as Outage;
    expect(after.properties.call_count).toBe(outage.properties.call_count + 1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
