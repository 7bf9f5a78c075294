/**
 * The dispatcher's intake form in a real browser against the real server with demo data: a
 * category found by its Russian name, a point clicked on the map, the created number shown,
 * the appeal then counted on the control room's map, and a duplicate shown live for a second
 * appeal of the same category at the same spot.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext, testContext, waitForMapIdle } from '../helpers/browser.ts';

interface MetaCategory {
  code: string;
  depth: number;
  service: string | null;
  name: { kk: string; ru: string; en: string };
}
interface MetaDistrict {
  code: string;
  lng: number;
  lat: number;
}

const baseUrl = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;
const pageErrors: string[] = [];
/** The number and id of the appeal registered by the first test. */
let createdNumber = '';
let createdId = 0;

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
    ([a, b]) => (window as unknown as { __jardemMap: { jumpTo(o: object): void } }).__jardemMap.jumpTo({ center: [a, b], zoom: 15 }),
    [lng, lat] as const,
  );
  await waitForMapIdle(page);
  const { x, y } = await page.evaluate(
    ([a, b]) =>
      (window as unknown as { __jardemMap: { project(p: [number, number]): { x: number; y: number } } }).__jardemMap.project([a, b]),
    [lng, lat] as const,
  );
  const box = await page.getByTestId('map').boundingBox();
  expect(box).not.toBeNull();
  expect(x).toBeGreaterThan(0);
  expect(y).toBeGreaterThan(0);
  await page.mouse.click(box!.x + x, box!.y + y);
}

async function shownCount(page: Page, district: string): Promise<number | null> {
  const el = page.getByTestId(`district-count-${district}`);
  if (!(await el.count())) return null;
  return Number(await el.getAttribute('data-value'));
}

/** A category reachable by its Russian name alone (no other category's names contain it). */
async function pickCategory(): Promise<MetaCategory> {
  const res = await context.request.get(`${baseUrl}/api/meta`);
  const meta = (await res.json()) as { categories: MetaCategory[]; districts: MetaDistrict[] };
  const hay = (c: MetaCategory) => `${c.name.kk} ${c.name.ru} ${c.name.en}`.toLowerCase();
  const found = meta.categories.find(
    (c) => c.depth > 0 && c.service && meta.categories.every((o) => o === c || !hay(o).includes(c.name.ru.toLowerCase())),
  );
  expect(found).toBeDefined();
  return found!;
}

async function districtPoint(): Promise<MetaDistrict> {
  const res = await context.request.get(`${baseUrl}/api/meta`);
  const meta = (await res.json()) as { districts: MetaDistrict[] };
  return meta.districts[0];
}

describe('intake', () => {
  it('asks for sign-in when not signed in as a dispatcher', async () => {
    const anon = await testContext(browser, { locale: 'ru-RU' });
    const page = await anon.newPage();
    await page.goto(`${baseUrl}/intake`);
    const form = page.getByTestId('intake-signin');
    await form.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('intake-form').count()).toBe(0);
    // A wrong password says so; a role that cannot register appeals is told why.
    await form.locator('input[name="login"]').fill('executor');
    await form.locator('input[name="password"]').fill('wrong-password');
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('Неверный логин или пароль');
    await form.locator('input[name="password"]').fill('jardem-demo');
    await form.locator('button[type="submit"]').click();
    // Signed in through the one session: the page answers as it does to a signed-in executor who
    // opens /intake (a plain refusal naming the role, and a way home), and the header knows them.
    const denied = page.getByTestId('not-allowed');
    await denied.waitFor({ timeout: 15_000 });
    expect(await denied.textContent()).toContain('«исполнитель»');
    expect(await page.getByTestId('not-allowed-home').count()).toBe(1);
    expect(await page.locator('header nav').getAttribute('data-session')).toBe('executor');
    expect(await page.getByTestId('intake-form').count()).toBe(0);
    await anon.close();
  });

  it('registers an appeal, shows its number, and the map then counts it', async () => {
    const category = await pickCategory();
    const district = await districtPoint();

    // The control room's count for the district before.
    const home = await context.newPage();
    await home.goto(baseUrl + '/');
    await waitForMapIdle(home);
    await expect.poll(() => shownCount(home, district.code), { timeout: 20_000 }).not.toBeNull();
    const before = (await shownCount(home, district.code))!;
    await home.close();

    const page = await context.newPage();
    await page.goto(`${baseUrl}/intake`);
    await page.getByTestId('intake-form').waitFor({ timeout: 30_000 });
    await waitForMapIdle(page);

    // Submitting empty shows the errors next to the fields.
    await page.getByTestId('intake-submit').click();
    await page.getByText('Выберите категорию').waitFor();
    await page.getByText('Укажите место на карте').waitFor();

    await page.getByTestId('intake-category').fill(category.name.ru);
    await page.getByTestId('intake-category-option').first().waitFor();
    await page.getByTestId('intake-category').press('Enter');
    expect(await page.getByTestId('intake-category-chosen').getAttribute('data-code')).toBe(category.code);

    await clickMapAt(page, district.lng, district.lat);
    await page.getByTestId('intake-marker').waitFor();
    await page.getByTestId('intake-description').fill('E2E: проверка приёма обращения');
    await page.getByTestId('intake-submit').click();

    const numberEl = page.getByTestId('intake-number');
    await numberEl.waitFor({ timeout: 20_000 });
    const number = (await numberEl.textContent())!.trim();
    const id = Number(await numberEl.getAttribute('data-id'));
    createdNumber = number;
    createdId = id;
    expect(id).toBeGreaterThan(0);

    const detail = (await (await context.request.get(`${baseUrl}/api/incidents/${id}`)).json()) as {
      properties: { number: string; category: string; district: string | null };
    };
    expect(detail.properties.number).toBe(number);
    expect(detail.properties.category).toBe(category.code);
    expect(detail.properties.district).toBe(district.code);

    // The new-appeal button resets the form.
    await page.getByTestId('intake-new').click();
    await page.getByTestId('intake-form').waitFor();
    expect(await page.getByTestId('intake-category').inputValue()).toBe('');
    await page.close();

    // The control room: the district's count went up by one, and the appeal opens on the map.
    const after = await context.newPage();
    await after.goto(`${baseUrl}/?sel=${id}`);
    await waitForMapIdle(after);
    await expect.poll(() => shownCount(after, district.code), { timeout: 20_000 }).toBe(before + 1);
    await expect.poll(() => after.getByTestId('incident-popup').textContent(), { timeout: 15_000 }).toContain(number);
    await after.close();
  });

  it('shows a duplicate live when a second appeal of the same category is placed at the same spot', async () => {
    const category = await pickCategory();
    const district = await districtPoint();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/intake`);
    await page.getByTestId('intake-form').waitFor({ timeout: 30_000 });
    await waitForMapIdle(page);
    expect(await page.getByTestId('intake-duplicates').count()).toBe(0);

    await page.getByTestId('intake-category').fill(category.name.ru);
    await page.getByTestId('intake-category-option').first().waitFor();
    await page.getByTestId('intake-category').press('Enter');
    await clickMapAt(page, district.lng, district.lat);

    const dups = page.getByTestId('intake-duplicates');
    await dups.waitFor({ timeout: 15_000 });
    expect(createdNumber).not.toBe('');
    await expect.poll(() => dups.textContent(), { timeout: 15_000 }).toContain(createdNumber);
    // a link to the earlier appeal
    expect(await dups.locator('a', { hasText: createdNumber }).getAttribute('href')).toMatch(/^\/incidents\/\d+$/);

    // The caller reports the same problem: the call is registered and attached to the earlier appeal in one step.
    await page.getByTestId('intake-description').fill('E2E: повторный звонок');
    await page.locator(`[data-testid="intake-attach"][data-id="${createdId}"]`).click();
    const attached = page.getByTestId('intake-attached-number');
    await attached.waitFor({ timeout: 20_000 });
    expect((await attached.textContent())!.trim()).toBe(createdNumber);
    // read out on one line, with the map still there beside it (not a blank panel)
    const box = (await attached.boundingBox())!;
    const lineHeight = await attached.evaluate((e) => parseFloat(getComputedStyle(e).fontSize) * 1.6);
    expect(box.height).toBeLessThan(lineHeight);
    expect(await page.getByTestId('map').isVisible()).toBe(true);
    const callId = Number(await page.getByTestId('intake-number').getAttribute('data-id'));
    const call = (await (await context.request.get(`${baseUrl}/api/incidents/${callId}`)).json()) as {
      properties: { status: string; resolution: string | null; parent_id: number | null };
    };
    expect(call.properties).toMatchObject({ status: 'rejected', resolution: 'duplicate', parent_id: createdId });
    await page.close();
  });

  it('offers the allowed moves on the incident page and makes one with the version', async () => {
    expect(createdId).toBeGreaterThan(0);
    const load = async () =>
      (await (await context.request.get(`${baseUrl}/api/incidents/${createdId}`)).json()) as {
        properties: { status: string; version: number };
        allowed: { action: string; to: string | null }[];
      };
    const before = await load();
    const move = before.allowed.find((m) => m.action === 'assign') ?? before.allowed.find((m) => m.action === 'reject');
    expect(move, JSON.stringify(before.allowed)).toBeDefined();

    const page = await context.newPage();
    await page.goto(`${baseUrl}/incidents/${createdId}`);
    await page.getByTestId('incident-actions').waitFor({ timeout: 30_000 });
    for (const m of before.allowed.filter((a) => a.to)) await page.getByTestId(`action-${m.action}`).waitFor();
    await page.getByTestId(`action-${move!.action}`).click();
    await page.getByTestId('action-submit').click();
    await expect.poll(async () => (await load()).properties.status, { timeout: 15_000 }).toBe(move!.to);
    const after = await load();
    expect(after.properties.version).toBeGreaterThan(before.properties.version);
    // the panel reloads: the move just made is no longer offered
    await expect.poll(() => page.getByTestId(`action-${move!.action}`).count(), { timeout: 15_000 }).toBe(0);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});

describe('executor queue', () => {
  it('lists the service’s open appeals, overdue first, and takes one', async () => {
    // standing at the city's first district point, as the device reports it
    const stand = await districtPoint();
    const exec = await testContext(browser, {
      viewport: { width: 1600, height: 1000 },
      locale: 'ru-RU',
      geolocation: { longitude: stand.lng, latitude: stand.lat },
      permissions: ['geolocation'],
    });
    exec.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
    const login = await exec.request.post(`${baseUrl}/api/auth/login`, { data: { login: 'executor', password: 'jardem-demo' } });
    expect(login.status()).toBe(200);
    // One appeal the executor can take, whatever the tests before did with the demo's (they take them).
    const theirs = (await (await exec.request.get(`${baseUrl}/api/control?limit=1`)).json()) as { items: { service: string | null }[] };
    const dispatcherLogin = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'dispatcher', password: 'jardem-demo' }),
    });
    const cookie = dispatcherLogin.headers.get('set-cookie')!.split(';')[0];
    const { csrfToken } = (await dispatcherLogin.json()) as { csrfToken: string };
    const given = await fetch(`${baseUrl}/api/incidents`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'complaint',
        category: 'roads.pothole',
        channel: 'phone',
        description: 'Яма у остановки, очередь исполнителя',
        address: 'ул. Очередная, 1',
        location: { type: 'Point', coordinates: [stand.lng + 0.001, stand.lat] },
        service: theirs.items[0]?.service,
      }),
    });
    expect(given.status).toBe(201);
    const control = (await (await exec.request.get(`${baseUrl}/api/control?sort=due&limit=500`)).json()) as {
      items: {
        id: number;
        number: string;
        status: string;
        service: string | null;
        overdue: boolean;
        lng: number;
        lat: number;
        address: string | null;
      }[];
    };
    expect(control.items.length).toBeGreaterThan(0);
    expect(new Set(control.items.map((i) => i.service)).size).toBe(1);

    const page = await exec.newPage();
    await page.goto(`${baseUrl}/queue`);
    await page.getByTestId('queue-table').waitFor({ timeout: 30_000 });
    const flags = await page.$$eval('[data-testid="queue-row"]', (rows) => rows.map((r) => r.getAttribute('data-overdue') === 'true'));
    expect(flags.length).toBe(control.items.length);
    expect(flags.filter(Boolean).length).toBe(control.items.filter((i) => i.overdue).length);
    // every overdue row comes before every other
    expect(flags.indexOf(false) === -1 || flags.lastIndexOf(true) < flags.indexOf(false)).toBe(true);

    // each row says where and what, and how late in words a person reads (days, not "2 643,4 ч")
    const first = page.locator('[data-testid="queue-row"]').first();
    expect((await first.getByTestId('queue-address').textContent())!.trim().length).toBeGreaterThan(1);
    expect((await first.getByTestId('queue-description').textContent())!.trim().length).toBeGreaterThan(0);
    for (const text of await page.getByTestId('queue-due').allTextContents()) {
      expect(text).toMatch(/^(просрочено на|осталось) \d[\d\s\u00a0]* (мин|ч|дн\.)( \d+ ч)?$/);
    }
    // the list on the map beside it
    await waitForMapIdle(page);
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (window as unknown as { __jardemMap: { queryRenderedFeatures(o: object): unknown[] } }).__jardemMap.queryRenderedFeatures({
              layers: ['work-points'],
            }).length,
        ),
      )
      .toBeGreaterThan(0);
    // nearest first, from where the executor stands
    await page.getByTestId('queue-sort-distance').click();
    const rad = Math.PI / 180;
    const dist = (i: { lng: number; lat: number }) => Math.hypot((i.lng - stand.lng) * Math.cos(stand.lat * rad), i.lat - stand.lat);
    const nearest = [...control.items].sort((a, b) => dist(a) - dist(b))[0];
    await expect.poll(() => page.locator('[data-testid="queue-row"]').first().getAttribute('data-id')).toBe(String(nearest.id));
    await page.locator('[data-testid="queue-row"]').first().getByTestId('queue-away').waitFor();
    await page.getByTestId('queue-sort-due').click();

    const takeable = control.items.find((i) => i.status === 'assigned' || i.status === 'reopened');
    expect(takeable, 'an appeal the executor can take').toBeDefined();
    {
      const row = page.locator('[data-testid="queue-row"]', { hasText: takeable!.number });
      await row.getByTestId('queue-take').click();
      await expect
        .poll(
          async () =>
            ((await (await exec.request.get(`${baseUrl}/api/incidents/${takeable!.id}`)).json()) as { properties: { status: string } })
              .properties.status,
          { timeout: 15_000 },
        )
        .toBe('in_progress');
      await expect.poll(() => row.getByTestId('queue-resolve').count(), { timeout: 15_000 }).toBe(1);
      // resolving asks what was done, in a box of several lines
      await row.getByTestId('queue-resolve').click();
      expect(await row.getByTestId('queue-note').evaluate((e) => e.tagName)).toBe('TEXTAREA');
      await row.getByTestId('queue-note').fill('Люк закрыт новой крышкой, место очищено');
      await row.getByTestId('queue-resolve-submit').click();
      await expect
        .poll(
          async () =>
            ((await (await exec.request.get(`${baseUrl}/api/incidents/${takeable!.id}`)).json()) as { properties: { status: string } })
              .properties.status,
          { timeout: 15_000 },
        )
        .toBe('resolved');
      await page.screenshot({ path: '.tmp/queue.png' });
    }
    await exec.close();
    expect(pageErrors).toEqual([]);
  });
});
