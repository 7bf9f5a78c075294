/**
 * The wall display in a real browser against a server this file starts itself (so that it can
 * stop and restart it): the wall signs in with a display token issued through the admin API,
 * shows a new appeal in its ticker and KPIs within two seconds of the commit, survives a
 * network blip (replaying what it missed) and a server restart without a reload, and is laid
 * out for 1920×1080 and 3840×2160 with nothing cut off or scrolling.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, testContext, waitForMapIdle } from '../helpers/browser.ts';
import { buildClientIfNeeded, freePort, startServer, type RunningServer } from '../helpers/server.ts';

const SHOTS = '.tmp';
const PASSWORD = 'jardem-demo';
let dataDir: string;
let port: number;
let server: RunningServer;
let base: string;
let browser: Browser;
let context: BrowserContext;
let dispatcher: string;
let admin: string;
const pageErrors: string[] = [];

/** CSRF token of each session cookie: every write with a cookie repeats it (X-CSRF-Token). */
const csrf = new Map<string, string>();
const writeHeaders = (cookie: string) => ({ 'content-type': 'application/json', cookie, 'x-csrf-token': csrf.get(cookie) ?? '' });

async function login(user: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: user, password: PASSWORD }),
  });
  expect(res.status, `login ${user}`).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  csrf.set(cookie, ((await res.json()) as { csrfToken: string }).csrfToken);
  return cookie;
}

async function issueDisplayToken(name: string): Promise<{ id: number; token: string; url: string }> {
  const res = await fetch(`${base}/api/admin/display-tokens`, {
    method: 'POST',
    headers: writeHeaders(admin),
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  return res.json();
}

let appeals = 0;
/** Registers an appeal as the dispatcher; resolves after the commit, with the time of the answer. */
async function createAppeal(category = 'garbage.burning', at?: [number, number]): Promise<{ id: number; number: string; at: number }> {
  appeals++;
  const res = await fetch(`${base}/api/incidents`, {
    method: 'POST',
    headers: writeHeaders(dispatcher),
    body: JSON.stringify({
      type: 'complaint',
      category,
      channel: 'phone',
      description: `Wall test appeal ${appeals}`,
      // [lng, lat] near the centre of Taraz, a little apart each time
      location: { type: 'Point', coordinates: at ?? [71.378 + (appeals % 20) * 0.0007, 42.9 - (appeals % 20) * 0.0005] },
    }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return { id: body.id, number: body.number, at: Date.now() };
}

const tickerItem = (number: string) => `[data-testid="wall-ticker-item"][data-number="${number}"]`;
const kpiValue = async (page: Page, key: string) =>
  Number((await page.textContent(`[data-testid="wall-kpi-${key}"] .value`))!.replace(/\D/g, ''));
const connection = (page: Page) => page.getAttribute('[data-testid="wall-connection"]', 'data-status');

async function waitForStatus(page: Page, status: string, timeout = 60_000) {
  await page.waitForSelector(`[data-testid="wall-connection"][data-status="${status}"]`, { timeout });
}

/** A wall page signed in with a fresh display token; `marker` proves later that it never reloaded. */
async function openWall(query: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const { url } = await issueDisplayToken(`e2e ${query}`);
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(`${base}${url}&${query}`);
  await page.waitForSelector('[data-testid="wall-kpis"]', { timeout: 60_000 });
  await waitForStatus(page, 'online');
  await page.evaluate(() => ((window as unknown as { __wallMarker: number }).__wallMarker = 109));
  return page;
}

const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __wallMarker?: number }).__wallMarker === 109);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'jardem-wall-'));
  port = await freePort();
  await buildClientIfNeeded();
  server = await startServer({ port, dataDir });
  base = server.baseUrl;
  [admin, dispatcher] = await Promise.all([login('admin'), login('dispatcher')]);
  browser = await launchBrowser();
  context = await testContext(browser, { viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: 'ru-RU' });
  context.on('weberror', (e) => pageErrors.push(e.error().message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// Each test opens its own wall and closes it, so that none depends on what an earlier one left.
const open = new Set<Page>();
async function freshWall(query = 'rotate=0', viewport?: { width: number; height: number }): Promise<Page> {
  const page = await openWall(query, viewport);
  open.add(page);
  return page;
}

afterEach(async () => {
  for (const page of open) await page.close();
  open.clear();
  // no uncaught error in any page of the test
  expect(pageErrors.splice(0)).toEqual([]);
});

/** Waits until the ticker holds `n` items (it keeps a bounded number). */
const tickerHolds = (page: Page, n: number) =>
  page.waitForFunction((k) => document.querySelectorAll('[data-testid="wall-ticker-item"]').length >= k, n, { timeout: 10_000 });

describe('wall display', () => {
  it('signs in with a display token and takes the token out of the address bar', async () => {
    const wall = await freshWall();
    expect(new URL(wall.url()).searchParams.has('token')).toBe(false);
    expect(new URL(wall.url()).searchParams.get('rotate')).toBe('0');
    const cookies = await context.cookies(base);
    expect(cookies.some((c) => c.httpOnly)).toBe(true);
    const me = await wall.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
    expect(me.user.role).toBe('display');
    expect(await wall.textContent('[data-testid="wall-step"]')).toBe('Весь город');
    await waitForMapIdle(wall);
  });

  it('shows a new appeal in the ticker and the KPIs within two seconds of the commit', async () => {
    const wall = await freshWall();
    const before = await kpiValue(wall, 'newToday');
    const openBefore = await kpiValue(wall, 'open');
    const appeal = await createAppeal();
    await wall.waitForSelector(tickerItem(appeal.number), { timeout: 2000 });
    await wall.waitForFunction(
      ([n]) => Number(document.querySelector('[data-testid="wall-kpi-newToday"] .value')!.textContent!.replace(/\D/g, '')) > n,
      [before],
      { timeout: Math.max(1, 2000 - (Date.now() - appeal.at)) },
    );
    expect(Date.now() - appeal.at).toBeLessThan(2000);
    expect(await kpiValue(wall, 'open')).toBe(openBefore + 1);
    const item = await wall.textContent(tickerItem(appeal.number));
    expect(item).toContain('Сжигание мусора');
  });

  it('replays what it missed while its network was down, without a reload', async () => {
    const wall = await freshWall();
    const cdp = await context.newCDPSession(wall);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await waitForStatus(wall, 'offline', 10_000);
    const missed = await createAppeal('roads.pothole');
    expect(await wall.$(tickerItem(missed.number))).toBeNull();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await waitForStatus(wall, 'online', 30_000);
    await wall.waitForSelector(tickerItem(missed.number), { timeout: 5000 });
    expect(await notReloaded(wall)).toBe(true);
    await cdp.detach();
  });

  it('goes offline when the server stops, comes back when it restarts and catches up, without a reload', async () => {
    const wall = await freshWall();
    await server.stop();
    await waitForStatus(wall, 'offline', 15_000);
    expect(await wall.textContent('[data-testid="wall-connection"]')).toContain('Нет связи');
    server = await startServer({ port, dataDir });
    // right after the restart, possibly before the wall is back: it must still arrive
    const early = await createAppeal('landscaping.sidewalks');
    await waitForStatus(wall, 'online', 60_000);
    await wall.waitForSelector(tickerItem(early.number), { timeout: 10_000 });
    const after = await createAppeal();
    await wall.waitForSelector(tickerItem(after.number), { timeout: 2000 });
    expect(await notReloaded(wall)).toBe(true);
    expect(await connection(wall)).toBe('online');
  });

  it('keeps its memory flat: a bounded ticker, no piling listeners or elements', async () => {
    const wall = await freshWall();
    await waitForMapIdle(wall);
    const cdp = await context.newCDPSession(wall);
    await cdp.send('HeapProfiler.enable');
    const measure = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
      const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
      // elements outside the alert list and markers (whose number follows the alerts of the moment)
      const elements = await wall.evaluate(
        () =>
          [...document.getElementsByTagName('*')].filter(
            (e) => !e.closest('[data-testid="wall-alerts"], [data-testid="wall-alert-marker"]'),
          ).length,
      );
      const items = await wall.locator('[data-testid="wall-ticker-item"]').count();
      return { heap: usedSize, listeners: listeners.length, elements, items };
    };
    // warm up: the ticker fills to its size, the map has loaded its cells
    let latest = await createAppeal();
    for (let i = 0; i < 14; i++) latest = await createAppeal();
    await wall.waitForSelector(tickerItem(latest.number), { timeout: 5000 });
    await tickerHolds(wall, 10);
    await waitForMapIdle(wall);
    const before = await measure();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 25; i++) await createAppeal(i % 2 ? 'garbage.burning' : 'roads.pothole');
      await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await waitForStatus(wall, 'offline', 10_000);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await waitForStatus(wall, 'online', 30_000);
    }
    const last = await createAppeal();
    await wall.waitForSelector(tickerItem(last.number), { timeout: 5000 });
    await waitForMapIdle(wall);
    const after = await measure();
    expect(after.items).toBe(before.items);
    expect(after.listeners).toBe(before.listeners);
    expect(Math.abs(after.elements - before.elements)).toBeLessThanOrEqual(5);
    // 75 more appeals and three reconnections cost no lasting memory (GC noise aside)
    expect(after.heap - before.heap).toBeLessThan(1.5 * 1024 * 1024);
    await cdp.detach();
  });

  it('makes the control room live too: its KPIs follow the stream, not a 60 s poll', async () => {
    const page = await context.newPage();
    open.add(page);
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-testid="kpis-newToday"]');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="kpis-newToday"] .value')!.textContent!));
    const value = () => page.textContent('[data-testid="kpis-newToday"] .value').then((t) => Number(t!.replace(/\D/g, '')));
    const before = await value();
    await createAppeal();
    await page.waitForFunction(
      ([n]) => Number(document.querySelector('[data-testid="kpis-newToday"] .value')!.textContent!.replace(/\D/g, '')) > n,
      [before],
      { timeout: 10_000 },
    );
  });

  it('rotates through the districts by itself', async () => {
    const page = await freshWall('rotate=5');
    expect(await page.getAttribute('[data-testid="wall"]', 'data-step')).toBe('city');
    await page.waitForFunction(() => document.querySelector('[data-testid="wall"]')!.getAttribute('data-step') !== 'city', undefined, {
      timeout: 15_000,
    });
    expect(await page.textContent('[data-testid="wall-step"]')).not.toBe('Весь город');
  });

  it('refuses a revoked token with a message', async () => {
    const { id, url } = await issueDisplayToken('to revoke');
    const res = await fetch(`${base}/api/admin/display-tokens/${id}`, { method: 'DELETE', headers: writeHeaders(admin) });
    expect(res.status).toBe(200);
    const other = await testContext(browser);
    const page = await other.newPage();
    await page.goto(base + url);
    await page.waitForSelector('[data-testid="wall-token-invalid"]', { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await other.close();
  });

  // More alerts than the panel holds (three more surges beside the ones the other tests made): the
  // panel must not grow into the ticker's rows, it counts the rest instead.
  let surges: Promise<void> | undefined;
  const plantSurges = () =>
    (surges ??= (async () => {
      for (const category of ['transport.schedule', 'landscaping.sidewalks', 'noise.music']) {
        for (let i = 0; i < 8; i++) await createAppeal(category);
      }
    })());

  for (const [name, width, height] of [
    ['wall-1080', 1920, 1080],
    ['wall-4k', 3840, 2160],
  ] as const) {
    it(`fits ${width}×${height} with nothing cut off, overlapping or scrolling`, async () => {
      await plantSurges();
      const page = await freshWall('rotate=0', { width, height });
      await waitForMapIdle(page);
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="wall-alerts"] .count')?.textContent) >= 5, undefined, {
        timeout: 60_000,
      });
      // the ticker fills as its items arrive: measure once it holds enough to fill a line
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="wall-ticker-item"]').length >= 5);
      const layout = await page.evaluate(() => {
        const box = (s: string) => document.querySelector(s)!.getBoundingClientRect();
        const boxes = {
          header: box('.wall .top'),
          kpis: box('[data-testid="wall-kpis"]'),
          map: box('.wall .body > :first-child'),
          alerts: box('[data-testid="wall-alerts"]'),
          ticker: box('[data-testid="wall-ticker"]'),
        };
        // text that is cut (by an ellipsis or overflow) where it must not be: KPI figures, the clock
        const cut = [
          ...document.querySelectorAll('[data-testid^="wall-kpi-"] .value, [data-testid="wall-clock"] .time, [data-testid="wall-step"]'),
        ]
          .filter((e) => e.scrollWidth > e.clientWidth + 1)
          .map((e) => e.textContent);
        // ticker items that are not wholly inside the ticker and on screen
        const t = boxes.ticker;
        const items = [...document.querySelectorAll('[data-testid="wall-ticker-item"]')].map((e) => e.getBoundingClientRect());
        const partial = items.filter((r) => r.left < t.right && r.bottom > t.top && !(r.top >= t.top - 1 && r.bottom <= t.bottom + 1));
        const visible = items.filter((r) => r.left < t.right && r.top >= t.top && r.bottom <= t.bottom + 1).length;
        const kpiFont = parseFloat(getComputedStyle(document.querySelector('[data-testid="wall-kpi-open"] .value')!).fontSize);
        // captions read across the room: the smallest text of the legend, the KPI captions, the
        // ticker's lines and the alerts' count line (CSS px)
        const captionText = [
          ...document.querySelectorAll(
            '[data-testid="wall-legend"] *, [data-testid^="wall-kpi-"] .label, [data-testid^="wall-kpi-"] .hint, [data-testid="wall-ticker-item"] .district, [data-testid="wall-alerts-more"]',
          ),
        ].filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim()));
        const captionFont = Math.min(...captionText.map((e) => parseFloat(getComputedStyle(e).fontSize)));
        // no district label drawn under the legend card
        const map = (window as unknown as { __jardemMap: { queryRenderedFeatures(b: [number, number][], o: object): unknown[] } })
          .__jardemMap;
        const mapBox = document.querySelector('.wall .body > :first-child')!.getBoundingClientRect();
        const legend = document.querySelector('[data-testid="wall-legend"]')!.getBoundingClientRect();
        const scale = Math.max(1, innerHeight / 720);
        const labelsUnderLegend = map.queryRenderedFeatures(
          [
            [(legend.left - mapBox.left) / scale, (legend.top - mapBox.top) / scale],
            [(legend.right - mapBox.left) / scale, (legend.bottom - mapBox.top) / scale],
          ],
          { layers: ['district-labels'] },
        ).length;
        return {
          alertCards: document.querySelectorAll('[data-testid="wall-alert"]').length,
          alertsMore: document.querySelector('[data-testid="wall-alerts"] .more') !== null,
          scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
          boxes,
          cut,
          partial: partial.length,
          visible,
          kpiFont,
          captionFont,
          captions: captionText.length,
          labelsUnderLegend,
          moreText: document.querySelector('[data-testid="wall-alerts-more"]')?.textContent ?? '',
          bodyFont: parseFloat(getComputedStyle(document.querySelector('[data-testid="wall"]')!).fontSize),
        };
      });
      await page.screenshot({ path: `${SHOTS}/${name}.png` });
      expect(layout.scroll).toEqual([width, height]);
      const { header, kpis, map, alerts, ticker } = layout.boxes;
      for (const b of Object.values(layout.boxes)) {
        expect(b.left).toBeGreaterThanOrEqual(0);
        expect(b.top).toBeGreaterThanOrEqual(0);
        expect(b.right).toBeLessThanOrEqual(width);
        expect(b.bottom).toBeLessThanOrEqual(height);
      }
      expect(header.bottom).toBeLessThanOrEqual(kpis.top);
      expect(kpis.bottom).toBeLessThanOrEqual(Math.min(map.top, alerts.top));
      expect(map.right).toBeLessThanOrEqual(alerts.left);
      expect(alerts.bottom).toBeLessThanOrEqual(ticker.top);
      expect(layout.cut).toEqual([]);
      expect(layout.partial).toBe(0);
      expect(layout.visible).toBeGreaterThanOrEqual(5);
      // four places in the alerts panel: three cards and the count of the rest
      expect(layout.alertCards).toBe(3);
      expect(layout.alertsMore).toBe(true);
      // read from three metres: body text of 20 px per 1080 rows, figures three times that
      expect(layout.bodyFont).toBeCloseTo((20 * height) / 1080, -0.5);
      expect(layout.kpiFont).toBeGreaterThanOrEqual((50 * height) / 1080);
      // captions and the legend at 24 px per 1080 rows at least
      expect(layout.captions).toBeGreaterThan(10);
      expect(layout.captionFont).toBeGreaterThanOrEqual((24 * height) / 1080 - 0.5);
      expect(layout.labelsUnderLegend).toBe(0);
      // the alerts beyond the cards are counted by kind
      expect(layout.moreText).toMatch(/·/);
    });
  }

  it('pages through the alerts beyond the panel, so that every one comes on screen', async () => {
    await plantSurges();
    const wall = await freshWall();
    await wall.waitForFunction(() => Number(document.querySelector('[data-testid="wall-alerts"] .count')?.textContent) >= 5, undefined, {
      timeout: 60_000,
    });
    const cards = () => wall.$$eval('[data-testid="wall-alert"]', (els) => els.map((e) => e.getAttribute('data-id')).join());
    const first = await cards();
    await wall.waitForFunction(
      (f) => [...document.querySelectorAll('[data-testid="wall-alert"]')].map((e) => e.getAttribute('data-id')).join() !== f,
      first,
      { timeout: 15_000 },
    );
    expect(await wall.locator('[data-testid="wall-alert"]').count()).toBe(3);
  });

  it('keeps the appeals of other districts readable while it shows one', async () => {
    // one new appeal in each of five districts: the ticker holds some outside the one shown
    const meta = (await (await fetch(`${base}/api/meta`)).json()) as { districts: { lng: number; lat: number }[] };
    for (const d of meta.districts.slice(0, 5)) await createAppeal('garbage.burning', [d.lng, d.lat]);
    const wall = await freshWall('rotate=5');
    await wall.waitForFunction(() => document.querySelector('[data-testid="wall"]')!.getAttribute('data-step') !== 'city', undefined, {
      timeout: 15_000,
    });
    const step = await wall.getAttribute('[data-testid="wall"]', 'data-step');
    const looks = await wall.$$eval(
      '[data-testid="wall-ticker-item"]',
      (els, shown) =>
        els
          .filter((e) => e.getAttribute('data-district') !== shown)
          .map((e) => {
            let o = 1;
            for (let n: Element | null = e; n; n = n.parentElement) o *= Number(getComputedStyle(n).opacity);
            return { opacity: o, color: getComputedStyle(e.querySelector('.category')!).color };
          }),
      step,
    );
    expect(looks.length).toBeGreaterThan(0);
    for (const l of looks) {
      expect(l.opacity).toBe(1);
      expect(l.color).toBe('rgb(244, 247, 251)');
    }
  });

  it('holds its view, its heatmap and its figures, marked stale, while the server is out of reach', async () => {
    // Cut the network just after a step has settled, well before the next one (10 s): a step
    // taken as the network goes would fly to a view whose tiles can no longer come.
    const wall = await freshWall('rotate=10');
    await wall.waitForFunction(() => document.querySelector('[data-testid="wall"]')!.getAttribute('data-step') !== 'city', undefined, {
      timeout: 20_000,
    });
    await waitForMapIdle(wall);
    const cdp = await context.newCDPSession(wall);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await waitForStatus(wall, 'offline', 10_000);
    const step = await wall.getAttribute('[data-testid="wall"]', 'data-step');
    expect(await wall.getAttribute('[data-testid="wall-kpis"]', 'data-stale')).toBe('true');
    await wall.waitForTimeout(8000);
    expect(await wall.getAttribute('[data-testid="wall"]', 'data-step')).toBe(step);
    const heat = await wall.evaluate(() => {
      const map = (window as unknown as { __jardemMap: { querySourceFeatures(s: string, o: object): unknown[] } }).__jardemMap;
      return map.querySourceFeatures('incidents', { sourceLayer: 'cells' }).length;
    });
    expect(heat).toBeGreaterThan(0);
    await wall.screenshot({ path: `${SHOTS}/wall-offline.png` });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await waitForStatus(wall, 'online', 30_000);
    expect(await wall.getAttribute('[data-testid="wall-kpis"]', 'data-stale')).toBe('false');
    await cdp.detach();
  });
});
