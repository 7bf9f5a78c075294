/**
 * The crews' field app (/field, issue 24) in a real browser at 360×640 with the device's
 * position granted: the work list, an action taken with the network cut that waits in the
 * outbox and is applied exactly once when the network returns, an action whose appeal went to
 * another service meanwhile kept in the "not sent" list, photos resized on the device and
 * uploaded with their position, and a resolution made far from the appeal flagged on the
 * supervisor's panel.
 */
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
const PHONE = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** A signed-in API client outside the browser (its network is never cut). */
async function apiAs(login: string) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: 'jardem-demo' }),
  });
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(baseUrl + path, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  return { get: (p: string) => call('GET', p), post: (p: string, b: unknown) => call('POST', p, b) };
}

let browser: Browser;
let admin: Awaited<ReturnType<typeof apiAs>>;
let dispatcher: Awaited<ReturnType<typeof apiAs>>;
let service = '';
let otherService = '';
/** [lng, lat] of a point in the supervisor's first district. */
let origin: [number, number] = [0, 0];
let seq = 0;

/** An appeal assigned to the executor's service, ~60 m apart from the others of this file. */
async function assignedAppeal(): Promise<{ id: number; number: string; at: [number, number] }> {
  const n = ++seq;
  const at: [number, number] = [origin[0] + 0.0008 * n, origin[1] + 0.0003 * (n % 3)];
  const created = await dispatcher.post('/api/incidents', {
    type: 'complaint',
    category: 'roads.pothole',
    channel: 'phone',
    description: `Яма у дома, полевой тест ${n}`,
    address: `ул. Полевая, ${n}`,
    location: { type: 'Point', coordinates: at },
    // the dispatcher sends it to the executor's service at intake
    service,
  });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('assigned');
  return { id: created.body.id, number: created.body.number, at };
}

/** A camera-sized JPEG (larger than the 1600 px the device sends). */
const cameraJpeg = () =>
  sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#6b7f3a' } })
    .jpeg({ quality: 90 })
    .toBuffer();

async function openAppeal(page: Page, number: string) {
  const card = page.locator(`[data-testid="work-item"][data-number="${number}"]`);
  await card.waitFor({ timeout: 20_000 });
  await card.click();
  await page.getByTestId('detail').waitFor();
}

let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await apiAs('admin');
  dispatcher = await apiAs('dispatcher');
  const users = (await admin.get('/api/admin/users')).body.items as { login: string; service: string | null; districts: string[] }[];
  service = users.find((u) => u.login === 'executor')!.service!;
  const supervisorDistrict = users.find((u) => u.login === 'supervisor')!.districts[0];
  const meta = (await admin.get('/api/meta')).body as {
    districts: { code: string; lng: number; lat: number }[];
    services: { code: string }[];
  };
  const d = meta.districts.find((x) => x.code === supervisorDistrict)!;
  origin = [d.lng, d.lat];
  otherService = meta.services.map((s) => s.code).find((c) => c !== service)!;
  context = await signedInContext(browser, baseUrl, 'executor', {
    ...PHONE,
    geolocation: { longitude: origin[0], latitude: origin[1], accuracy: 10 },
    permissions: ['geolocation'],
    locale: 'ru-RU',
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('the field app at 360×640', () => {
  it('shows my service’s work list, sorted, fitting the phone’s width', async () => {
    const mine = await assignedAppeal();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/field`);
    const card = page.locator(`[data-testid="work-item"][data-number="${mine.number}"]`);
    await card.waitFor({ timeout: 20_000 });
    await expect(card.textContent()).resolves.toContain('ул. Полевая');
    // One column, no sideways scrolling; the tabs are at the bottom, within the thumb's reach.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const tabs = await page.locator('nav.tabs').boundingBox();
    expect(tabs!.y + tabs!.height).toBeGreaterThan(600);
    // Nearest first: the distances read in order.
    await page.getByRole('button', { name: 'Ближе ко мне' }).click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toMatch(/от вас/);
    // The details: address, description, a route link for the phone's navigation app.
    await card.click();
    await expect(page.getByTestId('route-geo').getAttribute('href')).resolves.toMatch(/^geo:-?\d+\.\d+,-?\d+\.\d+\?q=/);
    await expect(page.getByTestId('detail').textContent()).resolves.toContain('полевой тест');
    await page.close();
  });

  it('queues an action taken offline and sends it once when the network returns', async () => {
    const a = await assignedAppeal();
    const page = await context.newPage();
    const takes: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith(`/api/field/incidents/${a.id}/take`)) takes.push(r.status());
    });
    await page.goto(`${baseUrl}/field`);
    await openAppeal(page, a.number);
    await context.setOffline(true);
    await expect.poll(() => page.getByTestId('net-status').textContent()).toMatch(/Нет связи/);
    await page.getByTestId('take').click();
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('В работе');
    await page.getByRole('button', { name: /Назад/ }).click();
    await expect.poll(() => page.getByTestId('pending-count').textContent()).toMatch(/1/);
    // Nothing reached the server.
    expect((await admin.get(`/api/incidents/${a.id}`)).body.properties.status).toBe('assigned');
    await context.setOffline(false);
    await page.getByTestId('pending-count').waitFor({ state: 'detached', timeout: 20_000 });
    const after = (await admin.get(`/api/incidents/${a.id}`)).body;
    expect(after.properties.status).toBe('in_progress');
    expect(after.events.filter((e: { to_status: string }) => e.to_status === 'in_progress')).toHaveLength(1);
    expect(takes).toEqual([200]);
    await page.close();
  });

  it('keeps an action whose appeal went to another service meanwhile in the “not sent” list', async () => {
    const a = await assignedAppeal();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/field`);
    await openAppeal(page, a.number);
    await context.setOffline(true);
    await page.getByTestId('take').click();
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('В работе');
    const v = (await admin.get(`/api/incidents/${a.id}`)).body.properties.version;
    expect((await admin.post(`/api/incidents/${a.id}/transitions`, { to: 'assigned', service: otherService, version: v })).status).toBe(
      200,
    );
    // Back to the list before the network returns: once the action fails and the list reloads,
    // the appeal is no longer this service's and its page closes by itself.
    await page.getByRole('button', { name: /Назад/ }).click();
    await page.getByTestId('tab-outbox').click();
    await context.setOffline(false);
    const failed = page.locator('[data-testid="outbox-item"][data-state="failed"]');
    await failed.waitFor({ timeout: 20_000 });
    await expect(failed.textContent()).resolves.toContain('Обращение передано другой службе');
    await expect(failed.textContent()).resolves.toContain(a.number);
    expect((await admin.get(`/api/incidents/${a.id}`)).body.properties.status).toBe('assigned');
    await page.close();
  });

  it('uploads photos resized on the device with its position, and resolves on the spot without flags', async () => {
    const a = await assignedAppeal();
    await context.setGeolocation({ longitude: a.at[0], latitude: a.at[1], accuracy: 8 });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/field`);
    await openAppeal(page, a.number);
    await page.getByTestId('take').click();
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 15_000 }).toBe('В работе');
    const jpeg = await cameraJpeg();
    await page.getByTestId('photo-before').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.getByTestId('photo-after').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(async () => (await admin.get(`/api/field/incidents/${a.id}/proof`)).body.photos.length, { timeout: 20_000 }).toBe(2);
    const { photos } = (await admin.get(`/api/field/incidents/${a.id}/proof`)).body;
    for (const p of photos) {
      expect(p.width).toBe(1600);
      expect(p.position[0]).toBeCloseTo(a.at[0], 5);
      expect(p.position[1]).toBeCloseTo(a.at[1], 5);
    }
    await page.getByTestId('resolve').click();
    await page.getByTestId('resolve-note').fill('Яма заделана асфальтом');
    await page.getByTestId('confirm').click();
    await expect.poll(async () => (await admin.get(`/api/incidents/${a.id}`)).body.properties.status, { timeout: 20_000 }).toBe('resolved');
    expect((await admin.get(`/api/field/incidents/${a.id}/proof`)).body.checks.at(-1).flags).toEqual([]);
    await page.close();
  });

  it('flags a resolution made far from the appeal on the supervisor’s panel', async () => {
    const a = await assignedAppeal();
    // 3 km east of the appeal.
    const far: [number, number] = [a.at[0] + 3000 / (111_320 * Math.cos((a.at[1] * Math.PI) / 180)), a.at[1]];
    await context.setGeolocation({ longitude: far[0], latitude: far[1], accuracy: 8 });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/field`);
    await openAppeal(page, a.number);
    await page.getByTestId('take').click();
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 15_000 }).toBe('В работе');
    const jpeg = await cameraJpeg();
    await page.getByTestId('photo-before').setInputFiles({ name: 'b.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.getByTestId('photo-after').setInputFiles({ name: 'a.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(async () => (await admin.get(`/api/field/incidents/${a.id}/proof`)).body.photos.length, { timeout: 20_000 }).toBe(2);
    await page.getByTestId('resolve').click();
    await page.getByTestId('resolve-note').fill('Сделано');
    await page.getByTestId('confirm').click();
    await expect
      .poll(async () => (await admin.get(`/api/field/incidents/${a.id}/proof`)).body.checks.at(-1)?.flags, { timeout: 20_000 })
      .toEqual(['far']);
    await page.close();

    const sup = await signedInContext(browser, baseUrl, 'supervisor', { viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    const panel = await sup.newPage();
    await panel.goto(`${baseUrl}/incidents/${a.id}`);
    const flag = panel.locator('[data-testid="proof-flags"] li[data-flag="far"]');
    await flag.waitFor({ timeout: 30_000 });
    await expect(flag.textContent()).resolves.toMatch(/от места обращения/);
    // The photos are not public until published.
    const url = (await admin.get(`/api/field/incidents/${a.id}/proof`)).body.photos[0].url;
    expect((await fetch(baseUrl + url)).status).toBe(404);
    await sup.close();
  });
});
