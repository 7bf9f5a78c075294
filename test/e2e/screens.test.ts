/**
 * Each role's screens as its users judge them (issue 22), in a real browser against the real
 * server with demo data: navigation by role with a plain refusal and a way home, the control
 * room's connection and stale figures, filters that mean the same in the KPIs and the ranking,
 * a map whose colours and heat scale can be decoded, a keyboard path to the appeals in view
 * with a visible focus ring, and an axe-core scan of every screen (with 1080p screenshots of
 * each in the three languages under .tmp/).
 */
import { OTHER_SPHERE_COLOR } from '../../client/src/map/sphere-colors.ts';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext, testContext, waitForMapIdle } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
const SHOTS = '.tmp';
const VIEWPORT = { width: 1920, height: 1080 };
/** The server's CSP refuses inline scripts, as it should; the test injects axe-core past it. */
const OPTIONS = { viewport: VIEWPORT, locale: 'ru-RU', bypassCSP: true };
let browser: Browser;
const contexts = new Map<string, BrowserContext>();
const pageErrors: string[] = [];

/** A context signed in as the demo user `login` (null: nobody), kept for the file. */
async function as(login: string | null): Promise<BrowserContext> {
  const key = login ?? '';
  let c = contexts.get(key);
  if (!c) {
    c = login ? await signedInContext(browser, baseUrl, login, OPTIONS, pageErrors) : await testContext(browser, OPTIONS);
    if (!login) c.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
    contexts.set(key, c);
  }
  return c;
}

/** Opens `path` and waits until the header knows who is signed in. */
async function open(login: string | null, path: string): Promise<Page> {
  const page = await (await as(login)).newPage();
  await page.goto(baseUrl + path);
  await page.waitForSelector('header nav[data-session]:not([data-session="loading"])', { timeout: 45_000 });
  return page;
}

const navLinks = (page: Page) =>
  page.$$eval('header nav [data-testid^="nav-"]', (els) => els.map((e) => e.getAttribute('data-testid')!.slice('nav-'.length)));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts.values()) await c.close();
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

describe('navigation by role', () => {
  // What each role may use, as the access matrix says; the control room's link shows when it is not home.
  const cases: [string | null, string[], string][] = [
    ['admin', ['intake', 'queue', 'outages', 'hotspots', 'admin'], '/'],
    ['dispatcher', ['city', 'intake', 'queue', 'outages', 'hotspots'], '/intake'],
    ['supervisor', ['queue', 'outages', 'hotspots'], '/'],
    ['executor', ['city', 'queue', 'hotspots'], '/queue'],
    ['official', ['city', 'hotspots'], '/hotspots'],
    [null, ['hotspots'], '/'],
  ];
  for (const [login, links, home] of cases) {
    it(`${login ?? 'a visitor'} sees only the links it can use and its own home`, async () => {
      const page = await open(login, '/hotspots');
      expect(await navLinks(page)).toEqual(links);
      expect(await page.getAttribute('[data-testid="nav-home"]', 'href')).toBe(home);
      await page.close();
    });
  }

  it('tells a role that opens a page it cannot use so, with a link home', async () => {
    const page = await open('executor', '/admin');
    await page.getByTestId('not-allowed').waitFor();
    expect(await page.getByTestId('admin').count()).toBe(0);
    expect(await page.textContent('[data-testid="not-allowed"]')).toContain('исполнитель');
    await page.getByTestId('not-allowed-home').click();
    await page.waitForURL((u) => u.pathname === '/queue');
    await page.close();

    const official = await open('official', '/intake');
    await official.getByTestId('not-allowed').waitFor();
    expect(await official.getAttribute('[data-testid="not-allowed-home"]', 'href')).toBe('/hotspots');
    await official.close();
  });
});

describe('the control room says when its figures are stale', () => {
  it('marks the connection and the KPIs, and a filter change offline keeps the caption of the figures shown', async () => {
    const context = await testContext(browser, OPTIONS);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.waitForSelector('[data-testid="connection"][data-status="online"]', { timeout: 45_000 });
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="kpis-open"] .value')?.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    await page.waitForSelector('[data-testid="updated"]');
    const hint = () => page.textContent('[data-testid="kpis-onTime"] .hint');
    const before = await hint();
    const updated = await page.textContent('[data-testid="updated"]');

    await context.setOffline(true);
    await page.waitForSelector('[data-testid="connection"][data-status="offline"]', { timeout: 15_000 });
    expect(await page.getAttribute('[data-testid="kpis"]', 'data-stale')).toBe('true');
    expect(await page.getAttribute('[data-testid="updated"]', 'data-stale')).toBe('true');
    await page.getByTestId('period-7d').click();
    await page.waitForTimeout(1500);
    // the numbers on screen are still those of the old period: so is their caption
    expect(await hint()).toBe(before);
    expect(await hint()).not.toContain('7 дней');
    expect(await page.textContent('[data-testid="updated"]')).toBe(updated);
    expect(await page.getAttribute('[data-testid="kpis"]', 'data-stale')).toBe('true');
    await page.screenshot({ path: `${SHOTS}/screens-city-offline.png` });

    await context.setOffline(false);
    await page.waitForSelector('[data-testid="connection"][data-status="online"]', { timeout: 45_000 });
    await expect.poll(hint, { timeout: 20_000 }).toContain('7 дней');
    await expect.poll(() => page.getAttribute('[data-testid="kpis"]', 'data-stale'), { timeout: 20_000 }).toBe('false');
    await context.close();
  });
});

describe('filters mean the same everywhere', () => {
  it('the ranking counts only the filtered appeals in every column', async () => {
    const meta = (await (await fetch(`${baseUrl}/api/meta`)).json()) as { categories: { code: string; depth: number }[] };
    const sphere = meta.categories.find((c) => c.depth === 0)!.code;
    const page = await open(null, `/?status=overdue&category=${sphere}`);
    await page.waitForSelector('[data-testid^="district-overdue-"]');
    await page.waitForTimeout(500);
    const rows = await page.$$eval('[data-testid^="district-overdue-"]', (els) =>
      els.map((e) => {
        const code = e.getAttribute('data-testid')!.slice('district-overdue-'.length);
        const count = Number(document.querySelector(`[data-testid="district-count-${code}"]`)!.getAttribute('data-value'));
        return { code, overdue: Number(e.getAttribute('data-value')), count };
      }),
    );
    expect(rows.length).toBeGreaterThan(0);
    // every appeal counted is overdue: the two columns are the same appeals
    for (const r of rows) expect(r.overdue, r.code).toBe(r.count);
    await page.close();
  });

  it('says "all time" when all time is chosen, and shows a custom range whole', async () => {
    const page = await open(null, '/');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="kpis-open"] .value')?.textContent ?? ''));
    await expect.poll(() => page.textContent('[data-testid="kpis-onTime"] .hint')).toContain('Всё время');
    expect(await page.textContent('[data-testid="kpis-onTime"] .hint')).not.toContain('30 дней');
    await page.goto(`${baseUrl}/?period=custom&from=2026-01-01&to=2026-11-30`);
    await page.waitForSelector('[data-testid="kpis-onTime"] .hint');
    await expect.poll(() => page.textContent('[data-testid="kpis-onTime"] .hint')).toMatch(/2026.*–.*2026/);
    const cut = await page.$eval(
      '[data-testid="kpis-onTime"] .hint',
      (e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1,
    );
    expect(cut).toBe(false);
    await page.close();
  });
});

describe('the map can be decoded', () => {
  it('gives the spheres in view distinct colours, the same on the map and in the legend', async () => {
    const page = await open(null, '/?layers=clusters');
    await waitForMapIdle(page);
    await expect.poll(() => page.getByTestId('legend-spheres').locator('li[data-code]').count(), { timeout: 15_000 }).toBeGreaterThan(1);
    // The map is live (other tests add appeals; tiles arrive after the summary): read the map and
    // the legend together until the legend has caught up with what is on screen.
    const read = () =>
      page.evaluate(() => {
        type F = { properties: Record<string, unknown>; geometry: { coordinates: [number, number] } };
        const map = (
          window as unknown as {
            __jardemMap: {
              getBounds(): { contains(p: [number, number]): boolean };
              querySourceFeatures(s: string, o: object): F[];
              getPaintProperty(l: string, p: string): unknown;
            };
          }
        ).__jardemMap;
        const b = map.getBounds();
        const spheres = new Set<string>();
        for (const f of map.querySourceFeatures('incidents', { sourceLayer: 'cells' })) {
          if (!b.contains(f.geometry.coordinates)) continue;
          for (const part of String(f.properties.mix).split(',')) spheres.add(part.split(':')[0]);
        }
        const legend = [...document.querySelectorAll('[data-testid="legend-spheres"] li[data-code]')].map((li) => ({
          code: li.getAttribute('data-code')!,
          color: li.getAttribute('data-color')!,
        }));
        return { inView: [...spheres], legend, paint: map.getPaintProperty('singles', 'circle-color') as unknown[] };
      });
    let snapshot = await read();
    const caughtUp = (v: typeof snapshot) =>
      v.legend.filter((l) => l.code !== 'other').length === Math.min(v.inView.length, 7) &&
      (v.legend.at(-1)?.code === 'other') === v.inView.length > 7;
    await expect.poll(async () => caughtUp((snapshot = await read())), { timeout: 15_000 }).toBe(true);
    const { inView, legend, paint } = snapshot;
    const own = legend.filter((l) => l.code !== 'other');
    // every sphere on screen is named in the legend, by its own colour or as "other"
    expect(own.length).toBe(Math.min(inView.length, 7));
    for (const s of inView) expect(own.some((l) => l.code === s) || legend.some((l) => l.code === 'other'), s).toBe(true);
    // the grey rest is listed, last, exactly when more spheres are on screen than colours
    expect(legend.at(-1)!.code === 'other').toBe(inView.length > 7);
    // the colours are far apart (RGB distance), and the map paints each sphere in its legend colour
    const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const colours = legend.map((l) => rgb(l.color));
    for (let i = 0; i < colours.length; i++)
      for (let j = i + 1; j < colours.length; j++) expect(Math.hypot(...colours[i].map((v, k) => v - colours[j][k]))).toBeGreaterThan(60);
    for (const l of own) expect(paint[paint.indexOf(l.code) + 1]).toBe(l.color);
    // The filter panel beside the map: each sphere's dot in its legend colour, the rest in the grey of "other".
    const dots = await page
      .getByTestId('sphere-list')
      .locator('input[data-testid^="sphere-"]')
      .evaluateAll((inputs) =>
        inputs.map((i) => ({
          code: i.getAttribute('data-testid')!.slice('sphere-'.length),
          color: getComputedStyle(i.nextElementSibling!).backgroundColor,
        })),
      );
    expect(dots.length).toBeGreaterThan(own.length);
    const css = (h: string) => `rgb(${rgb(h).join(', ')})`;
    for (const d of dots) expect(d.color, d.code).toBe(css(own.find((l) => l.code === d.code)?.color ?? OTHER_SPHERE_COLOR));
    if (inView.length > 7) {
      // The grey rest opens to the spheres it holds, by name, adding up to its count.
      const other = page.getByTestId('legend-other');
      await other.locator('summary').click();
      const digits = (t: string | null) => Number((t ?? '').replace(/\D/g, ''));
      const total = digits(await other.locator('summary .n').textContent());
      const parts = await other.locator('li[data-sub]').evaluateAll((lis) =>
        lis.map((li) => ({
          code: li.getAttribute('data-sub')!,
          name: li.querySelector('.name')!.textContent!,
          n: li.querySelector('.n')!.textContent!,
        })),
      );
      expect(parts.length).toBeGreaterThan(0);
      expect(parts.reduce((a, p) => a + digits(p.n), 0)).toBe(total);
      for (const s of inView.filter((c) => !own.some((l) => l.code === c))) expect(parts.map((p) => p.code)).toContain(s);
      for (const p of parts) expect(p.name.trim().length, p.code).toBeGreaterThan(0);
    }
    await page.screenshot({ path: `${SHOTS}/screens-map-spheres.png` });
    await page.close();
  });

  it('puts numbers on the heat scale', async () => {
    const page = await open(null, '/?layers=heat');
    await waitForMapIdle(page);
    const scale = page.getByTestId('legend-heat-scale');
    await scale.waitFor();
    await expect.poll(async () => (await scale.locator('span').allTextContents()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    const numbers = (await scale.locator('span').allTextContents()).map((t) => Number(t.replace(/\D/g, '')));
    expect(numbers[0]).toBe(0);
    expect(numbers.at(-1)!).toBeGreaterThan(1);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]);
    await page.close();
  });
});

describe('keyboard', () => {
  it('skip links lead to the map, the ranking and the appeals in view, which select on the map', async () => {
    const page = await open(null, '/');
    await waitForMapIdle(page);
    expect(await page.$$eval('main, header, nav, aside', (els) => els.length)).toBeGreaterThanOrEqual(4);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) ?? '');
    }
    expect(order).toEqual(['skip-map', 'skip-ranking', 'skip-list']);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('in-view');
    await page.getByTestId('in-view-row').first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('in-view-row');
    const id = await page.evaluate(() => document.activeElement!.getAttribute('data-id'));
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('sel') === id);
    await page.waitForSelector('.maplibregl-popup', { timeout: 15_000 });
    expect(await page.getAttribute(`[data-testid="in-view-row"][data-id="${id}"]`, 'aria-pressed')).toBe('true');

    // the ranking's skip link
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('district-ranking').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('district-ranking');
    await page.close();
  });

  it('draws a visible focus ring on pressed toggle buttons too', async () => {
    const page = await open(null, '/');
    await page.getByTestId('district-ranking').waitFor();
    const pressed = page.locator('[role="group"] > button[aria-pressed="true"]');
    // the filter groups and the ranking's switch render as their data arrive
    await expect.poll(() => pressed.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    const n = await pressed.count();
    for (let i = 0; i < n; i++) {
      const button = pressed.nth(i);
      const box = (await button.boundingBox())!;
      const clip = { x: box.x - 4, y: box.y - 4, width: box.width + 8, height: box.height + 8 };
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const plain = await page.screenshot({ clip });
      // keyboard modality, so that :focus-visible applies
      await page.keyboard.press('Shift');
      await button.focus();
      expect(await button.evaluate((e) => e.matches(':focus-visible'))).toBe(true);
      const focused = await page.screenshot({ clip });
      const changed = await page.evaluate(
        async ([a, b]) => {
          const pixels = async (b64: string) => {
            const img = new Image();
            img.src = `data:image/png;base64,${b64}`;
            await img.decode();
            const c = document.createElement('canvas');
            c.width = img.width;
            c.height = img.height;
            const ctx = c.getContext('2d')!;
            ctx.drawImage(img, 0, 0);
            return ctx.getImageData(0, 0, c.width, c.height).data;
          };
          const [p, q] = [await pixels(a), await pixels(b)];
          let d = 0;
          for (let k = 0; k < p.length; k += 4)
            if (Math.abs(p[k] - q[k]) + Math.abs(p[k + 1] - q[k + 1]) + Math.abs(p[k + 2] - q[k + 2]) > 90) d++;
          return d;
        },
        [plain.toString('base64'), focused.toString('base64')],
      );
      // a ring at least 2 px wide around most of the button's perimeter
      expect(changed, (await button.textContent()) ?? '').toBeGreaterThan(2 * (box.width + box.height));
    }
    await page.close();
  });
});

/** axe-core, from the project's own dependency, injected into the page. */
const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function axeScan(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    // the map canvas is drawn by WebGL: its colours are not text and axe cannot read them
    const r = await axe.run({ exclude: [['.maplibregl-canvas']] }, { resultTypes: ['violations'] });
    return r.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 4)
          .join(', ')}`,
    );
}

describe('accessibility scan and screenshots of every screen', () => {
  let wallUrl = '';
  beforeAll(async () => {
    const admin = await as('admin');
    const me = await admin.request.get(`${baseUrl}/api/auth/me`);
    const { csrfToken } = (await me.json()) as { csrfToken: string };
    const res = await admin.request.post(`${baseUrl}/api/admin/display-tokens`, {
      data: { name: 'e2e screens' },
      headers: { 'x-csrf-token': csrfToken },
    });
    expect(res.status()).toBe(201);
    wallUrl = ((await res.json()) as { url: string }).url;
  });

  const screens: [string, string | null, string, string][] = [
    ['control-room', null, '/', '[data-testid="district-ranking"]'],
    ['district', 'supervisor', '/districts/FIRST', '[data-testid="district-kpis"]'],
    ['hotspots', 'official', '/hotspots', 'main'],
    ['intake', 'dispatcher', '/intake', '[data-testid="intake-form"]'],
    ['queue', 'executor', '/queue', '[data-testid="queue-table"]'],
    ['admin', 'admin', '/admin', '[data-testid="admin-users"]'],
  ];
  for (const [name, login, path, ready] of screens) {
    it(`${name}: no serious or critical axe violations; screenshots in kk, ru, en`, async () => {
      let target = path;
      if (path.includes('FIRST')) {
        const meta = (await (await fetch(`${baseUrl}/api/meta`)).json()) as { districts: { code: string }[] };
        target = path.replace('FIRST', meta.districts[0].code);
      }
      const page = await open(login, target);
      await page.waitForSelector(ready, { timeout: 45_000 });
      if (await page.$('.maplibregl-map')) await waitForMapIdle(page);
      expect(await axeScan(page)).toEqual([]);
      for (const lang of ['kk', 'ru', 'en']) {
        await page.getByTestId(`lang-${lang}`).click();
        await page.waitForTimeout(400);
        await page.screenshot({ path: `${SHOTS}/screens-${name}-${lang}.png` });
      }
      await page.getByTestId('lang-ru').click();
      await page.close();
    });
  }

  it('wall: no serious or critical axe violations; screenshots in kk, ru, en', async () => {
    const context = await testContext(browser, OPTIONS);
    const page = await context.newPage();
    for (const lang of ['kk', 'ru', 'en']) {
      // the first visit signs the screen in with its token; the session stays for the others
      await page.goto(`${baseUrl}${lang === 'kk' ? wallUrl : '/wall?x=1'}&rotate=0&lang=${lang}`);
      await page.waitForSelector('[data-testid="wall-kpis"]', { timeout: 60_000 });
      await waitForMapIdle(page);
      expect(await axeScan(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/screens-wall-${lang}.png` });
    }
    await context.close();
  });
});
