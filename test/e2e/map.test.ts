/**
 * The control room and the district drill-down in a real browser (Debian's Chromium with
 * software WebGL) against the real server with demo data: the map renders, the figures on
 * screen are the API's, filters and the language switch work, and a link reproduces a view.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { canvasVariety, launchBrowser, testContext, waitForMapIdle } from '../helpers/browser.ts';

interface DistrictFeature {
  properties: { code: string; name: { kk: string; ru: string; en: string }; count: number; overdue: number; per10k: number | null };
}

const baseUrl = inject('baseUrl');
const SHOTS = '.tmp';
let browser: Browser;
let context: BrowserContext;
/** Uncaught exceptions in any page of the run: there should be none. */
const pageErrors: string[] = [];

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(baseUrl + path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

async function districtsFromApi(query = 'status=open'): Promise<Map<string, DistrictFeature['properties']>> {
  const fc = await api<{ features: DistrictFeature[] }>(`/api/districts?${query}`);
  return new Map(fc.features.map((f) => [f.properties.code, f.properties]));
}

/** Opens `path` and waits until the map has loaded and finished drawing. */
async function open(path: string, page?: Page): Promise<Page> {
  page ??= await context.newPage();
  await page.goto(baseUrl + path);
  await page.waitForSelector('[data-map-loaded="true"]', { timeout: 45_000 });
  await waitForMapIdle(page);
  return page;
}

/** The counts shown in the ranking panel, by district code. */
async function shownCounts(page: Page): Promise<Map<string, number>> {
  const pairs = await page.$$eval('[data-testid^="district-count-"]', (els) =>
    els.map((e) => [e.getAttribute('data-testid')!.slice('district-count-'.length), Number(e.getAttribute('data-value'))] as const),
  );
  return new Map(pairs);
}

const countsOf = (m: Map<string, DistrictFeature['properties']>) => new Map([...m].map(([k, v]) => [k, v.count]));

/**
 * The fake online base map's host, answered by the page's routes. A host of its own, as a real
 * one would be: on the app's host its tiles would queue behind the vector tiles and the event
 * stream for the browser's six connections per host, and miss the fallback's deadline.
 */
const BASEMAP_HOST = 'http://basemap.invalid';
const CORS = { 'access-control-allow-origin': '*' };

/** A 1×1 grey PNG, the tile of the fake online base map. */
const TILE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4AAAA0gDR29kOtwAAAABJRU5ErkJggg==', 'base64');

/**
 * A page whose /api/meta names an online base map at `styleUrl` (as JARDEM_BASEMAP_URL would).
 * With `tiles`, the style is served here: one raster source with that tile URL; tiles under
 * /test-basemap/tiles/ answer with a PNG, anything else is left to fail.
 */
async function pageWithBasemap(styleUrl: string, tiles?: string): Promise<Page> {
  const page = await context.newPage();
  await page.route('**/api/meta', async (route) => {
    const res = await route.fetch();
    const meta = await res.json();
    meta.city.basemapUrl = styleUrl;
    await route.fulfill({ response: res, json: meta });
  });
  if (tiles) {
    await page.route('**/test-basemap/style.json', (route) =>
      route.fulfill({
        headers: CORS,
        json: {
          version: 8,
          sources: { online: { type: 'raster', tiles: [tiles], tileSize: 256 } },
          layers: [{ id: 'online-raster', type: 'raster', source: 'online' }],
        },
      }),
    );
    await page.route('**/test-basemap/tiles/**', (route) => route.fulfill({ body: TILE_PNG, contentType: 'image/png', headers: CORS }));
  }
  return page;
}

/** The features MapLibre drew in layer `id`, with their point coordinates [lng, lat]. */
async function rendered(page: Page, id: string): Promise<{ properties: Record<string, any>; coordinates: [number, number] }[]> {
  return page.evaluate((layer) => {
    const map = (
      window as unknown as {
        __jardemMap: { queryRenderedFeatures(o: object): { properties: Record<string, unknown>; geometry: { coordinates: unknown } }[] };
      }
    ).__jardemMap;
    return map.queryRenderedFeatures({ layers: [layer] }).map((f) => ({
      properties: f.properties,
      coordinates: f.geometry.coordinates as [number, number],
    }));
  }, id);
}

async function hasLayer(page: Page, id: string): Promise<boolean> {
  return page.evaluate(
    (layer) => !!(window as unknown as { __jardemMap: { getLayer(id: string): unknown } }).__jardemMap.getLayer(layer),
    id,
  );
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await testContext(browser, { viewport: { width: 1920, height: 1080 }, locale: 'ru-RU' });
  context.on('weberror', (e) => pageErrors.push(e.error().message));
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('control room /', () => {
  it('renders the map: the canvas is not blank and district labels are drawn', async () => {
    const page = await open('/');
    expect(await canvasVariety(page)).toBeGreaterThan(0.05);
    const labels = await page.evaluate(() => {
      const map = (window as unknown as { __jardemMap: { queryRenderedFeatures(o: object): unknown[] } }).__jardemMap;
      return map.queryRenderedFeatures({ layers: ['district-labels'] }).length;
    });
    expect(labels).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/e2e-city.png` });
    await page.close();
  });

  it('shows the district counts of the API and never downloads every appeal', async () => {
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname + new URL(r.url()).search));
    await open('/', page);
    const expected = countsOf(await districtsFromApi());
    await expect.poll(async () => Object.fromEntries(await shownCounts(page)), { timeout: 15_000 }).toEqual(Object.fromEntries(expected));
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    expect(await page.getByTestId('district-total').getAttribute('data-value')).toBe(String(total));
    // the appeals layers draw from the vector tiles, with the default filter in their URL
    expect(requests.some((u) => /^\/tiles\/incidents\/\d+\/\d+\/\d+\.mvt\?status=open&v=\d+$/.test(u))).toBe(true);
    expect(requests.some((u) => u.startsWith('/api/map/clusters'))).toBe(false);
    // aggregates only: no list of incidents at city scale, only bounded pages of the appeals in
    // view (the keyboard's way to the map's points)
    const lists = requests.filter((u) => /^\/api\/incidents(\?|$)/.test(u));
    for (const u of lists) {
      const q = new URL(u, baseUrl).searchParams;
      expect(Number(q.get('limit'))).toBeLessThanOrEqual(50);
      expect(q.get('bbox')).toBeTruthy();
    }
    await page.close();
  });

  it('a sphere filter changes the counts to those of the API for that filter', async () => {
    const page = await open('/');
    const before = countsOf(await districtsFromApi());
    const spheres = await api<{ items: { code: string; count: number }[] }>('/api/stats/by-category?status=open&level=sphere');
    const sphere = spheres.items.find((s) => s.count > 0)!.code;
    await page.getByTestId(`sphere-${sphere}`).check();
    await page.waitForURL((u) => u.searchParams.get('category') === sphere);
    const expected = countsOf(await districtsFromApi(`status=open&category=${sphere}`));
    expect(expected).not.toEqual(before);
    await expect.poll(async () => Object.fromEntries(await shownCounts(page)), { timeout: 15_000 }).toEqual(Object.fromEntries(expected));
    await page.close();
  });

  it('draws the appeals from the vector tiles: rings with counts at city zoom, clickable appeals at street zoom', async () => {
    const page = await open('/?c=71.378,42.9&z=11.5');
    const rings = await rendered(page, 'cluster-rings');
    expect(rings.length).toBeGreaterThan(0);
    for (const r of rings) {
      expect(r.properties.count).toBeGreaterThan(1);
      // the ring's image names the sphere mix the tile carries
      expect(String(r.properties.mix)).toMatch(/^[a-z0-9_.-]+:\d+(,[a-z0-9_.-]+:\d+)*$/);
    }
    expect(await canvasVariety(page)).toBeGreaterThan(0.05);
    // the legend lists the spheres of the tiles in view
    // (it follows the map's idle event, a moment after the tiles are drawn)
    await expect.poll(() => page.getByTestId('legend-spheres').locator('li').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await page.screenshot({ path: `${SHOTS}/e2e-tiles-city.png` });

    // street zoom, where the tiles carry single appeals: one is clicked and its popup opens
    const list = await api<{ features: { geometry: { coordinates: [number, number] }; properties: { id: number; number: string } }[] }>(
      '/api/incidents?status=open&limit=1',
    );
    const [lng, lat] = list.features[0].geometry.coordinates;
    const tiles: string[] = [];
    page.on('request', (r) => r.url().includes('/tiles/incidents/') && tiles.push(new URL(r.url()).pathname));
    await page.evaluate(
      ([x, y]) => (window as unknown as { __jardemMap: { jumpTo(o: object): void } }).__jardemMap.jumpTo({ center: [x, y], zoom: 15.5 }),
      [lng, lat],
    );
    await waitForMapIdle(page);
    expect(tiles.some((u) => u.startsWith('/tiles/incidents/15/'))).toBe(true);
    const points = await rendered(page, 'incident-points');
    expect(points.length).toBeGreaterThan(0);
    const target = points.find((p) => p.properties.id === list.features[0].properties.id) ?? points[0];
    expect(target.properties.number).toMatch(/^109-/);
    await page.screenshot({ path: `${SHOTS}/e2e-tiles-street.png` });
    const xy = await page.evaluate(
      (c) => (window as unknown as { __jardemMap: { project(p: [number, number]): { x: number; y: number } } }).__jardemMap.project(c),
      target.coordinates,
    );
    const box = (await page.locator('.maplibregl-canvas').boundingBox())!;
    await page.mouse.click(box.x + xy.x, box.y + xy.y);
    await page.waitForURL((u) => u.searchParams.get('sel') !== null);
    const sel = Number(new URL(page.url()).searchParams.get('sel'));
    const clicked = await api<{ properties: { number: string } }>(`/api/incidents/${sel}`);
    await expect.poll(() => page.getByTestId('incident-popup').textContent(), { timeout: 15_000 }).toContain(clicked.properties.number);
    await page.close();
  });

  it('a filter change fetches the tiles again with the filter in their URL', async () => {
    const page = await open('/?c=71.378,42.9&z=11.5');
    const spheres = await api<{ items: { code: string; count: number }[] }>('/api/stats/by-category?status=open&level=sphere');
    const sphere = spheres.items.find((s) => s.count > 0)!.code;
    const tiles: string[] = [];
    page.on('request', (r) => r.url().includes('/tiles/incidents/') && tiles.push(new URL(r.url()).search));
    await page.getByTestId(`sphere-${sphere}`).check();
    await expect.poll(() => tiles.some((q) => new URLSearchParams(q).get('category') === sphere), { timeout: 15_000 }).toBe(true);
    await waitForMapIdle(page);
    // every ring now holds that sphere only
    await expect
      .poll(
        async () => (await rendered(page, 'cluster-rings')).every((r) => String(r.properties.mix) === `${sphere}:${r.properties.count}`),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    await page.close();
  });

  it('clicking a district in the ranking opens its drill-down with its name; the breadcrumb returns', async () => {
    const page = await open('/');
    const districts = await districtsFromApi();
    const [code, d] = [...districts].sort((a, b) => b[1].count - a[1].count)[0];
    await page.getByTestId(`district-row-${code}`).click();
    await page.waitForURL((u) => u.pathname === `/districts/${code}`);
    await expect.poll(() => page.getByTestId('district-title').textContent()).toBe(d.name.ru);
    await page.getByTestId('breadcrumb-city').click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByTestId('district-ranking').waitFor();
    await page.close();
  });

  it('clicking a district on the map opens its drill-down', async () => {
    // only the districts on the map, so that no cluster ring takes the click
    const page = await open('/?layers=choropleth');
    const meta = await api<{ districts: { code: string; lng: number; lat: number; name: { ru: string } }[] }>('/api/meta');
    const target = meta.districts[0];
    const point = await page.evaluate(
      ([lng, lat]) => {
        const map = (window as unknown as { __jardemMap: { project(p: [number, number]): { x: number; y: number } } }).__jardemMap;
        return map.project([lng, lat]);
      },
      [target.lng, target.lat] as [number, number],
    );
    const box = (await page.locator('.maplibregl-canvas').boundingBox())!;
    await page.mouse.click(box.x + point.x, box.y + point.y);
    await page.waitForURL((u) => u.pathname === `/districts/${target.code}`);
    await expect.poll(() => page.getByTestId('district-title').textContent()).toBe(target.name.ru);
    await page.close();
  });

  it('switching to Kazakh changes the interface text, and the choice survives a reload', async () => {
    const page = await open('/');
    await expect.poll(() => page.locator('#ranking-title').textContent()).toBe('Районы');
    await page.getByTestId('lang-kk').click();
    await expect.poll(() => page.locator('#ranking-title').textContent()).toBe('Аудандар');
    expect(await page.getAttribute('html', 'lang')).toBe('kk');
    expect(await page.getByTestId('kpis-open').textContent()).toContain('Ашық');
    await page.reload();
    await page.waitForSelector('[data-map-loaded="true"]');
    await expect.poll(() => page.locator('#ranking-title').textContent()).toBe('Аудандар');
    await page.getByTestId('lang-ru').click();
    await expect.poll(() => page.locator('#ranking-title').textContent()).toBe('Районы');
    await page.close();
  });

  it('a link with filters, mode and map view reproduces the view', async () => {
    const spheres = await api<{ items: { code: string; count: number }[] }>('/api/stats/by-category?status=open&level=sphere');
    const sphere = spheres.items.find((s) => s.count > 0)!.code;
    const page = await open(`/?category=${sphere}&mode=per10k&c=71.38,42.9&z=13`);
    expect(await page.getByTestId(`sphere-${sphere}`).isChecked()).toBe(true);
    expect(await page.getByTestId('mode-per10k').getAttribute('aria-pressed')).toBe('true');
    const view = await page.evaluate(() => {
      const map = (window as unknown as { __jardemMap: { getZoom(): number; getCenter(): { lng: number; lat: number } } }).__jardemMap;
      return { zoom: map.getZoom(), ...map.getCenter() };
    });
    expect(view.zoom).toBeCloseTo(13, 1);
    expect(view.lng).toBeCloseTo(71.38, 3);
    expect(view.lat).toBeCloseTo(42.9, 3);
    const expected = await districtsFromApi(`status=open&category=${sphere}`);
    await expect
      .poll(async () => Object.fromEntries(await shownCounts(page)), { timeout: 15_000 })
      .toEqual(Object.fromEntries([...expected].map(([k, v]) => [k, v.per10k ?? 0])));
    await page.close();
  });

  it('a selected appeal in the URL opens its popup', async () => {
    const list = await api<{ features: { properties: { id: number; number: string } }[] }>('/api/incidents?status=open&limit=1');
    const { id, number } = list.features[0].properties;
    const page = await open(`/?sel=${id}`);
    await expect.poll(() => page.getByTestId('incident-popup').textContent(), { timeout: 15_000 }).toContain(number);
    await page.close();
  });

  it('falls back to the offline base map when the online style cannot load', async () => {
    const page = await pageWithBasemap('http://127.0.0.1:9/unreachable/style.json');
    await open('/', page);
    expect(await canvasVariety(page)).toBeGreaterThan(0.05);
    await page.getByText('офлайн-карта').waitFor();
    expect(await hasLayer(page, 'base-land')).toBe(true);
    expect(await hasLayer(page, 'choropleth-fill')).toBe(true);
    await page.close();
  });

  it('falls back when the online style loads but its tiles do not', async () => {
    const page = await pageWithBasemap(`${BASEMAP_HOST}/test-basemap/style.json`, 'http://127.0.0.1:9/tiles/{z}/{x}/{y}.png');
    await open('/', page);
    await page.getByText('офлайн-карта').waitFor({ timeout: 15_000 });
    await waitForMapIdle(page);
    expect(await hasLayer(page, 'base-land')).toBe(true);
    expect(await canvasVariety(page)).toBeGreaterThan(0.05);
    await page.close();
  });

  it('keeps a working online base map, with the data layers above it', async () => {
    const page = await pageWithBasemap(`${BASEMAP_HOST}/test-basemap/style.json`, `${BASEMAP_HOST}/test-basemap/tiles/{z}/{x}/{y}.png`);
    await open('/', page);
    await page.waitForTimeout(1000);
    expect(await page.getByText('офлайн-карта').count()).toBe(0);
    const order = await page.evaluate(() => {
      const map = (window as unknown as { __jardemMap: { getStyle(): { layers: { id: string }[] } } }).__jardemMap;
      return map.getStyle().layers.map((l) => l.id);
    });
    expect(order[0]).toBe('online-raster');
    expect(order.indexOf('choropleth-fill')).toBeGreaterThan(0);
    expect(order.indexOf('district-labels')).toBeGreaterThan(order.indexOf('choropleth-fill'));
    await page.close();
  });
});

describe('accessibility', () => {
  it('controls are reachable by keyboard, with a visible focus ring and a name', async () => {
    const page = await open('/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('skip');
    // the language switch is reachable and usable from the keyboard
    for (let i = 0; i < 8 && (await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) !== 'lang-kk'; i++) {
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('lang-kk');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#ranking-title').textContent()).toBe('Аудандар');
    await page.getByTestId('lang-ru').click();

    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('button, a[href], input, select')]
        .filter((el) => {
          const label =
            el.getAttribute('aria-label') ||
            el.getAttribute('title') ||
            el.textContent?.trim() ||
            (el as HTMLInputElement).labels?.[0]?.textContent?.trim();
          return !label && (el as HTMLInputElement).type !== 'hidden';
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    await page.close();
  });

  it('text outside the map meets WCAG AA contrast', async () => {
    const page = await open('/');
    const failures = await page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const background = (el: Element | null): number[] => {
        for (; el; el = el.parentElement) {
          const c = rgb(getComputedStyle(el).backgroundColor);
          if (c.length >= 3 && (c.length === 3 || c[3] > 0.5)) return c;
        }
        return [255, 255, 255];
      };
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement!;
        if (!n.textContent?.trim() || el.closest('.visually-hidden, .maplibregl-map, [hidden], .skip')) continue;
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        const s = getComputedStyle(el);
        const fg = rgb(s.color);
        const l1 = lum(fg);
        const l2 = lum(background(el));
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) out.push(`${n.textContent.trim().slice(0, 30)}: ${ratio.toFixed(2)}`);
      }
      return out;
    });
    expect(failures).toEqual([]);
    await page.close();
  });
});

describe('district drill-down /districts/:code', () => {
  it('shows the district KPIs, charts, services and open appeals by deadline', async () => {
    const districts = await districtsFromApi();
    const [code, d] = [...districts].sort((a, b) => b[1].count - a[1].count)[0];
    const page = await open(`/districts/${code}`);
    await expect.poll(() => page.getByTestId('district-title').textContent()).toBe(d.name.ru);
    await expect.poll(() => page.getByTestId('district-kpis-open').textContent(), { timeout: 15_000 }).toContain(String(d.count));
    await page.getByTestId('services-table').waitFor();
    expect(await page.locator('[data-testid="district-panel"] canvas').count()).toBe(2);

    const links = page.getByTestId('incident-link');
    await links.first().waitFor();
    const dues = await page.$$eval('[data-testid="incident-link"]', (els) => els.length);
    expect(dues).toBeGreaterThan(0);
    // the list is the work still owed: active appeals, not those resolved and waiting for the citizen
    const api1 = await api<{ features: { properties: { number: string; due_at: string } }[] }>(
      `/api/incidents?status=new,assigned,in_progress,reopened&district=${code}&sort=due&limit=1`,
    );
    expect(await links.first().textContent()).toContain(api1.features[0].properties.number);
    await waitForMapIdle(page);
    await page.screenshot({ path: `${SHOTS}/e2e-district.png` });

    await links.first().click();
    await page.waitForURL((u) => u.pathname.startsWith('/incidents/'));
    await expect.poll(() => page.getByTestId('incident-title').textContent()).toContain(api1.features[0].properties.number);
    await page.close();
  });
});

describe('sign-in', () => {
  it('signs in from the header, shows the role, and signs out', async () => {
    const ctx = await testContext(browser, { viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByRole('button', { name: 'Войти' }).first().click();
    await page.locator('dialog input[name="login"]').fill('supervisor');
    await page.locator('dialog input[name="password"]').fill('wrong-password');
    await page.locator('dialog button[type="submit"]').click();
    await page.getByRole('alert').waitFor();
    await page.locator('dialog input[name="password"]').fill('jardem-demo');
    await page.locator('dialog button[type="submit"]').click();
    await expect.poll(() => page.locator('header').textContent()).toContain('руководитель');
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('button', { name: 'Войти' }).first().waitFor();
    await ctx.close();
  });
});

describe('robustness', () => {
  it('no page threw an uncaught exception during these tests', () => {
    expect(pageErrors).toEqual([]);
  });
});
