/**
 * The rest of issue 22 and the officials' closure figures of issue 24, in a real browser against
 * the real server with demo data: a supervisor's own districts marked on the map and in the
 * ranking and shown together; the header following a sign-in made through the intake's own
 * form; the officials' page showing the verified-closure and ETA-accuracy sections.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext, testContext, waitForMapIdle } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
const OPTIONS = { viewport: { width: 1920, height: 1080 }, locale: 'ru-RU' };
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function pageAs(login: string | null, path: string): Promise<Page> {
  const c = login ? await signedInContext(browser, baseUrl, login, OPTIONS, pageErrors) : await testContext(browser, OPTIONS);
  if (!login) c.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
  contexts.push(c);
  const page = await c.newPage();
  await page.goto(baseUrl + path);
  await page.waitForSelector('header nav[data-session]:not([data-session="loading"])', { timeout: 45_000 });
  return page;
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

interface MetaDistrict {
  id: number;
  code: string;
  bbox: [number, number, number, number];
}

describe("a supervisor's own districts", () => {
  it('marks them in the ranking and on the map, and shows them together with their sums', async () => {
    const page = await pageAs('supervisor', '/');
    const me = (await (await page.request.get(`${baseUrl}/api/auth/me`)).json()) as { user: { districtIds: number[] } };
    const meta = (await (await page.request.get(`${baseUrl}/api/meta`)).json()) as { districts: MetaDistrict[] };
    const own = meta.districts.filter((d) => me.user.districtIds.includes(d.id));
    expect(own.length).toBeGreaterThanOrEqual(2);
    const others = meta.districts.filter((d) => !me.user.districtIds.includes(d.id));
    expect(others.length).toBeGreaterThan(0);

    await page.getByTestId('district-ranking').waitFor();
    await page.getByTestId(`district-row-${own[0].code}`).waitFor({ timeout: 45_000 });
    for (const d of own) expect(await page.getByTestId(`district-mine-${d.code}`).count()).toBe(1);
    for (const d of others) expect(await page.getByTestId(`district-mine-${d.code}`).count()).toBe(0);

    // the map outlines exactly these districts
    await waitForMapIdle(page);
    const filter = await page.evaluate(() =>
      (window as unknown as { __jardemMap: { getFilter(id: string): unknown } }).__jardemMap.getFilter('district-mine-outline'),
    );
    for (const d of own) expect(JSON.stringify(filter)).toContain(`"${d.code}"`);
    for (const d of others) expect(JSON.stringify(filter)).not.toContain(`"${d.code}"`);

    // the combined count is the sum of their rows
    const value = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-value'));
    let sum = 0;
    let overdue = 0;
    for (const d of own) {
      sum += await value(`district-count-${d.code}`);
      overdue += await value(`district-overdue-${d.code}`);
    }
    const total = page.getByTestId('my-districts-total');
    expect(Number(await total.getAttribute('data-count'))).toBe(sum);
    expect(Number(await total.getAttribute('data-overdue'))).toBe(overdue);

    // shown together: only they are listed, and the map fits them
    await page.getByTestId('my-districts-toggle').click();
    expect(await page.getByTestId('my-districts-toggle').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('[data-testid^="district-row-"]').count()).toBe(own.length);
    expect(Number(await page.getByTestId('district-total').getAttribute('data-value'))).toBe(sum);
    await page.waitForTimeout(900);
    await waitForMapIdle(page);
    const bounds = await page.evaluate(() => {
      const b = (window as unknown as { __jardemMap: { getBounds(): { toArray(): number[][] } } }).__jardemMap.getBounds().toArray();
      return [b[0][0], b[0][1], b[1][0], b[1][1]];
    });
    const w = Math.min(...own.map((d) => d.bbox[0]));
    const s = Math.min(...own.map((d) => d.bbox[1]));
    const e = Math.max(...own.map((d) => d.bbox[2]));
    const n = Math.max(...own.map((d) => d.bbox[3]));
    const eps = 1e-6;
    expect(bounds[0]).toBeLessThanOrEqual(w + eps);
    expect(bounds[1]).toBeLessThanOrEqual(s + eps);
    expect(bounds[2]).toBeGreaterThanOrEqual(e - eps);
    expect(bounds[3]).toBeGreaterThanOrEqual(n - eps);
    // fitted to them, not the whole city: the view is at most a few times their extent
    expect(bounds[2] - bounds[0]).toBeLessThan((e - w) * 4);

    await page.getByTestId('my-districts-toggle').click();
    await expect.poll(() => page.locator('[data-testid^="district-row-"]').count()).toBe(meta.districts.length);
  });

  it('is not offered to other roles', async () => {
    const page = await pageAs('official', '/');
    await page.getByTestId('district-ranking').waitFor();
    await page.locator('[data-testid^="district-row-"]').first().waitFor({ timeout: 45_000 });
    expect(await page.getByTestId('my-districts').count()).toBe(0);
  });
});

describe('signing in through the intake form', () => {
  it('updates the header at once', async () => {
    const page = await pageAs(null, '/intake');
    expect(await page.locator('header nav').getAttribute('data-session')).toBe('none');
    await page.getByTestId('sign-in').waitFor();
    const form = page.getByTestId('intake-signin');
    await form.locator('input[name="login"]').fill('dispatcher');
    await form.locator('input[name="password"]').fill('jardem-demo');
    await form.locator('button[type="submit"]').click();
    await page.getByTestId('intake-signin').waitFor({ state: 'detached', timeout: 15_000 });
    // the header says who is signed in, offers sign-out rather than sign-in, and links the dispatcher's pages
    await expect.poll(() => page.locator('header nav').getAttribute('data-session')).toBe('dispatcher');
    expect(await page.getByTestId('sign-in').count()).toBe(0);
    expect(await page.getByTestId('nav-intake').count()).toBe(1);
    expect(await page.locator('header .who').textContent()).toContain('Диспетчер');
  });
});

describe("the officials' closure and ETA figures", () => {
  it('shows verified closure by service and district and the accuracy of the ETAs, as the API answers', async () => {
    const c = await signedInContext(browser, baseUrl, 'official', OPTIONS, pageErrors);
    contexts.push(c);
    const page = await c.newPage();
    const closureAnswer = page.waitForResponse((r) => r.url().includes('/api/stats/closure') && r.status() === 200, { timeout: 45_000 });
    const etaAnswer = page.waitForResponse((r) => r.url().includes('/api/stats/eta-accuracy') && r.status() === 200, { timeout: 45_000 });
    await page.goto(`${baseUrl}/hotspots`);
    const closure = (await (await closureAnswer).json()) as {
      total: { resolved: number; reopen_rate: number | null; proof_share: number | null; confirmed_share: number | null };
      items: { code: string; resolved: number }[];
    };
    const eta = (await (await etaAnswer).json()) as { total: { n: number; mae_h: number; within25: number } | null; items: unknown[] };

    // the demo history has resolutions, disputes, proofs and ratings in the last 30 days
    expect(closure.total.resolved).toBeGreaterThan(0);
    expect(closure.total.reopen_rate).not.toBeNull();
    expect(closure.total.proof_share).toBeGreaterThan(0);
    await page.getByTestId('closure-table').waitFor();
    await expect.poll(() => page.getByTestId('closure-row').count()).toBe(closure.items.filter((i) => i.resolved > 0).length);
    const totalCells = page.getByTestId('closure-total').locator('td');
    expect(Number(await totalCells.nth(1).getAttribute('data-value'))).toBeCloseTo(closure.total.proof_share!, 6);
    expect(await totalCells.nth(3).textContent()).toMatch(/\d/);

    const byDistrict = page.waitForResponse((r) => r.url().includes('/api/stats/closure') && r.url().includes('by=district'));
    await page.getByTestId('closure-by-district').click();
    const districts = (await (await byDistrict).json()) as { items: { code: string; resolved: number }[] };
    const shown = districts.items.filter((i) => i.resolved > 0).map((i) => i.code);
    await expect.poll(() => page.getByTestId('closure-row').count()).toBe(shown.length);
    expect(await page.getByTestId('closure-row').first().getAttribute('data-code')).toBe(
      districts.items.filter((i) => i.resolved > 0).sort((a, b) => b.resolved - a.resolved)[0].code,
    );

    // ETA accuracy, computed by the job over the demo history: durations, not raw hours
    expect(eta.total).not.toBeNull();
    await page.getByTestId('eta-table').waitFor();
    expect(await page.getByTestId('eta-row').count()).toBe(Math.min(15, eta.items.length));
    const etaTotal = page.getByTestId('eta-total').locator('td');
    expect(Number(await etaTotal.nth(0).getAttribute('data-value'))).toBeCloseTo(eta.total!.mae_h, 6);
    expect(await etaTotal.nth(0).textContent()).not.toMatch(/\d[.,]\d/);
    expect(Number(await etaTotal.nth(1).getAttribute('data-value'))).toBeCloseTo(eta.total!.within25, 6);
  });
});
