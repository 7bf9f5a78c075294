/**
 * Emergencies' first measures in a real browser against the demo server: a new emergency takes
 * the wall (rotation paused, a queue count for more than one) until a supervisor acknowledges it
 * on the appeal's card, where the checklist of first measures is ticked and a hand-over to the
 * gas service recorded. Screenshot: .tmp/wall-emergency-1920.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext, testContext } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
const SHOTS = '.tmp';
const pack = JSON.parse(readFileSync(new URL('../../geodata/taraz/first-measures.json', import.meta.url), 'utf8'));

let browser: Browser;
/** The wall runs in a browser of its own, as on its own machine (its GPU work does not slow the desk's page). */
let wallBrowser: Browser;
let wallContext: BrowserContext;
let supervisor: BrowserContext;
let wall: Page;
const pageErrors: string[] = [];
let dispatcherCookie = '';
let dispatcherCsrf = '';
const created: number[] = [];

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: dispatcherCookie, 'x-csrf-token': dispatcherCsrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A point in the supervisor's first district ([lng, lat], a little apart each time). */
let spot: [number, number] = [0, 0];
async function createEmergency(category: string) {
  const n = created.length;
  const res = await api('POST', '/api/incidents', {
    type: 'incident',
    category,
    channel: 'phone',
    description: `e2e emergency ${n}`,
    address: `ул. Тестовая, ${n + 1}`,
    location: { type: 'Point', coordinates: [spot[0] + n * 0.0004, spot[1] + n * 0.0003] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  created.push(res.body.id);
  return res.body as { id: number; number: string };
}

const hold = (page: Page) => page.locator('[data-testid="wall-emergency"]');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'dispatcher', password: 'jardem-demo' }),
  });
  dispatcherCookie = login.headers.get('set-cookie')!.split(';')[0];
  dispatcherCsrf = ((await login.json()) as { csrfToken: string }).csrfToken;
  browser = await launchBrowser();
  supervisor = await signedInContext(
    browser,
    baseUrl,
    'supervisor',
    { viewport: { width: 1600, height: 1000 }, locale: 'ru-RU' },
    pageErrors,
  );
  const me = (await (await supervisor.request.get(`${baseUrl}/api/auth/me`)).json()) as { user: { districtIds: number[] } };
  const meta = (await (await fetch(`${baseUrl}/api/meta`)).json()) as { districts: { id: number; lng: number; lat: number }[] };
  const d = meta.districts.find((x) => me.user.districtIds.includes(x.id))!;
  spot = [d.lng + 0.001, d.lat - 0.001];
  wallBrowser = await launchBrowser();
  wallContext = await testContext(wallBrowser, { viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: 'ru-RU' });
  wallContext.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
  wall = await wallContext.newPage();
  await wall.goto(`${baseUrl}/wall?rotate=5&lang=ru`);
  await wall.waitForSelector('[data-testid="wall-connection"][data-status="online"]', { timeout: 60_000 });
});

afterAll(async () => {
  // Leave no emergency holding the walls of the other browser tests.
  for (const id of created) await api('POST', `/api/incidents/${id}/acknowledge`, {}).catch(() => undefined);
  await supervisor?.close();
  await wallContext?.close();
  await browser?.close();
  await wallBrowser?.close();
});

describe('a new emergency holds the wall', () => {
  let gas: { id: number; number: string };

  it('takes the screen, pauses the rotation and counts the queue', async () => {
    // The demo history's emergencies are acknowledged: the wall starts free and rotates.
    await expect.poll(() => hold(wall).count(), { timeout: 10_000 }).toBe(0);
    gas = await createEmergency('gas.smell');
    await hold(wall).waitFor({ timeout: 10_000 });
    expect(await hold(wall).getAttribute('data-id')).toBe(String(gas.id));
    await expect.poll(() => wall.getByTestId('wall-emergency-category').textContent()).toContain('Запах газа');
    await expect.poll(() => hold(wall).textContent()).toContain(gas.number);

    await createEmergency('lifts.stuck');
    await expect.poll(() => hold(wall).getAttribute('data-count'), { timeout: 10_000 }).toBe('2');
    // The oldest stays on screen; the queue shows how many more wait.
    expect(await hold(wall).getAttribute('data-id')).toBe(String(gas.id));
    expect(await wall.getByTestId('wall-emergency-more').textContent()).toContain('1');

    // Rotation (every 5 s) is paused while held.
    const step = await wall.getAttribute('[data-testid="wall"]', 'data-step');
    await wall.waitForTimeout(7000);
    expect(await wall.getAttribute('[data-testid="wall"]', 'data-step')).toBe(step);

    // Dominant and readable from the back of the room at 1920×1080.
    const box = (await hold(wall).boundingBox())!;
    expect(box.width * box.height).toBeGreaterThan(0.5 * 1920 * 1080);
    const px = await wall.getByTestId('wall-emergency-category').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    expect(px).toBeGreaterThanOrEqual(80);
    const fits = await wall.evaluate(
      () => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth,
    );
    expect(fits).toBe(true);
    await wall.screenshot({ path: `${SHOTS}/wall-emergency-1920.png` });
  });

  it(
    'the panel shows the checklist: ticks with time and who, a hand-over, and the acknowledgement releases the wall',
    { timeout: 180_000 },
    async () => {
      const page = await supervisor.newPage();
      await page.goto(`${baseUrl}/incidents/${gas.id}`);
      const section = page.getByTestId('first-measures');
      await section.waitFor({ timeout: 30_000 });
      const items = section.getByTestId('measure');
      await expect.poll(() => items.count()).toBe(pack.checklists['gas.smell'].length);
      expect(await items.first().textContent()).toContain(pack.checklists['gas.smell'][0].name.ru);

      const noFire = section.locator('[data-testid="measure"][data-code="no_fire"]');
      await noFire.locator('input[type="checkbox"]').check();
      await expect.poll(() => noFire.getAttribute('data-done')).toBe('true');
      expect(await noFire.textContent()).toContain('supervisor');
      // A hand-over measure is ticked only by recording the hand-over.
      expect(await section.locator('[data-code="handover_104"] input').isDisabled()).toBe(true);

      await section.getByTestId('handover-service').selectOption('104');
      await section.getByTestId('handover-operator').fill('Оператор Нурланова Д.');
      await section.getByTestId('handover-submit').click();
      await expect.poll(() => section.getByTestId('handovers').textContent()).toContain('Оператор Нурланова Д.');
      await expect.poll(() => section.locator('[data-code="handover_104"]').getAttribute('data-done')).toBe('true');
      await page.screenshot({ path: `${SHOTS}/panel-first-measures.png`, fullPage: true });

      await section.getByTestId('measures-acknowledge').click();
      await section.getByTestId('measures-acknowledged').waitFor();
      // Every wall hears it: the card moves on to the next in the queue.
      await expect.poll(() => hold(wall).getAttribute('data-id'), { timeout: 10_000 }).toBe(String(created[1]));
      expect(await hold(wall).getAttribute('data-count')).toBe('1');
      expect(await wall.getByTestId('wall-emergency-more').count()).toBe(0);

      expect((await api('POST', `/api/incidents/${created[1]}/acknowledge`, {})).status).toBe(200);
      await expect.poll(() => hold(wall).count(), { timeout: 10_000 }).toBe(0);
      // Rotation resumes.
      const step = await wall.getAttribute('[data-testid="wall"]', 'data-step');
      await expect.poll(() => wall.getAttribute('[data-testid="wall"]', 'data-step'), { timeout: 15_000 }).not.toBe(step);
      expect(pageErrors).toEqual([]);
      await page.close();
    },
  );
});
