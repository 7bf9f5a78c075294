/**
 * The base map that needs no internet, in a real browser against the real server with demo
 * data: every request outside Jardem's own origin is refused, and the map still draws the demo
 * Taraz's streets from /tiles/basemap with their names in the interface's language, in Jardem's
 * own glyphs. Screenshots at 1920×1080 go to .tmp/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, testContext, waitForMapIdle } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
const SHOTS = '.tmp';
let browser: Browser;
let context: BrowserContext;
/** Requests that tried to leave Jardem's origin: there must be none. */
const outside: string[] = [];
/** Glyph ranges the pages fetched from Jardem. */
const glyphs: string[] = [];

/** A house on the demo's Tole bi avenue, by the geocoder: [lng, lat]. */
async function taraz(): Promise<[number, number]> {
  const res = await fetch(`${baseUrl}/api/places/search?q=${encodeURIComponent('Толе би 20')}`);
  const body = (await res.json()) as { features: { geometry: { coordinates: [number, number] } }[] };
  return body.features[0].geometry.coordinates;
}

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(baseUrl + path);
  await waitForMapIdle(page);
  return page;
}

/** What MapLibre drew from the base-map source in the given layers: each feature's layer and properties. */
function drawn(page: Page, layers: string[]) {
  return page.evaluate((ids) => {
    const map = (window as unknown as { __jardemMap: import('maplibre-gl').Map }).__jardemMap;
    return map
      .queryRenderedFeatures({ layers: ids.filter((id) => map.getLayer(id)) })
      .filter((f) => f.source === 'jardem-basemap')
      .map((f) => ({ layer: f.layer.id, sourceLayer: f.sourceLayer, properties: f.properties as Record<string, string> }));
  }, layers);
}

const STREET_LAYERS = ['base-major', 'base-street', 'base-minor'];
const LABEL_LAYERS = ['base-major-labels', 'base-road-labels'];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await testContext(browser, { viewport: { width: 1920, height: 1080 }, locale: 'ru-RU' });
  const origin = new URL(baseUrl).origin;
  // No internet: anything not served by Jardem itself fails.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) {
      if (url.includes('/tiles/basemap/fonts/')) glyphs.push(decodeURIComponent(new URL(url).pathname));
      return route.fallback();
    }
    outside.push(url);
    return route.abort('internetdisconnected');
  });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('the offline base map', () => {
  it('draws the demo streets over Taraz at z15 with Russian labels, in Jardem glyphs, asking nothing outside', async () => {
    const [lng, lat] = await taraz();
    const page = await open(`/?c=${lng},${lat}&z=15`);
    const streets = await drawn(page, STREET_LAYERS);
    expect(streets.length).toBeGreaterThan(0);
    expect(streets.every((s) => s.sourceLayer === 'roads')).toBe(true);
    const labels = await drawn(page, LABEL_LAYERS);
    const names = new Set(labels.map((l) => l.properties.name_ru));
    expect(names).toContain('пр. Толе би');
    // The label layer asks for the Russian name (the interface's language), then the local name.
    const field = await page.evaluate(() =>
      (window as unknown as { __jardemMap: import('maplibre-gl').Map }).__jardemMap.getLayoutProperty('base-major-labels', 'text-field'),
    );
    expect(field).toEqual(['coalesce', ['get', 'name_ru'], ['get', 'name_ru'], ['get', 'name']]);
    // Cyrillic labels were drawn with Jardem's own glyphs.
    expect(glyphs.some((g) => g.endsWith('/1024-1279.pbf') && g.includes('Jardem Sans'))).toBe(true);
    // The map says that these streets are the demo's, not the city's.
    await expect.poll(() => page.locator('.maplibregl-ctrl-attrib').textContent()).toContain('демо-данные');
    await page.screenshot({ path: `${SHOTS}/basemap-control-ru-z15.png` });
    expect(outside).toEqual([]);
    await page.close();
  });

  it('switches the street names to Kazakh with the interface, without reloading the map', async () => {
    const [lng, lat] = await taraz();
    const page = await open(`/?c=${lng},${lat}&z=15`);
    await page.evaluate(() => ((window as unknown as { __basemapMarker: number }).__basemapMarker = 1));
    await page.getByTestId('lang-kk').click();
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as unknown as { __jardemMap: import('maplibre-gl').Map }).__jardemMap.getLayoutProperty(
            'base-major-labels',
            'text-field',
          ),
        ),
      )
      .toEqual(['coalesce', ['get', 'name_kk'], ['get', 'name_ru'], ['get', 'name']]);
    await waitForMapIdle(page);
    const labels = await drawn(page, LABEL_LAYERS);
    expect(labels.map((l) => l.properties.name_kk)).toContain('Төле би даңғылы');
    expect(await page.evaluate(() => (window as unknown as { __basemapMarker?: number }).__basemapMarker)).toBe(1);
    await page.screenshot({ path: `${SHOTS}/basemap-control-kk-z15.png` });
    expect(outside).toEqual([]);
    await page.close();
  });

  it('shows buildings at z17 and only the main roads at z10', async () => {
    const [lng, lat] = await taraz();
    const near = await open(`/?c=${lng},${lat}&z=17`);
    expect((await drawn(near, ['base-building'])).length).toBeGreaterThan(0);
    await near.screenshot({ path: `${SHOTS}/basemap-control-ru-z17.png` });
    await near.close();
    const far = await open(`/?c=${lng},${lat}&z=10`);
    const roads = await drawn(far, [...STREET_LAYERS, 'base-service', 'base-building']);
    expect(roads.length).toBeGreaterThan(0);
    expect(new Set(roads.map((r) => r.layer))).toEqual(new Set(['base-major']));
    await far.close();
  });
});
