/**
 * The SMS a caller got, on the appeal's panel in a real browser: a server of its own with SMS
 * through an HTTP gateway (faked, as the only outside service), an appeal taken on the phone,
 * and the panel showing the text's kind, the phone and "delivered/sent" in kk, ru and en — to
 * the dispatcher, never to a visitor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signedInContext, testContext, waitForMapIdle } from '../helpers/browser.ts';
import { startFakeSmsGateway } from '../helpers/fake-sms-gateway.ts';
import { freePort, type RunningServer, startServer } from '../helpers/server.ts';

let browser: Browser;
let server: RunningServer;
let gw: Awaited<ReturnType<typeof startFakeSmsGateway>>;
const dir = mkdtempSync(join(tmpdir(), 'jardem-e2e-sms-'));
let appeal = { id: 0, number: '' };

beforeAll(async () => {
  gw = await startFakeSmsGateway();
  server = await startServer({
    port: await freePort(),
    dataDir: dir,
    demoCount: 100,
    env: { SMS_PROVIDER: 'http', SMS_HTTP_URL: gw.url, SMS_HTTP_TOKEN: 'e2e-gateway-token', SMS_QUIET_HOURS: 'off' },
  });
  browser = await launchBrowser();
  // An appeal taken on the phone, through the API as the dispatcher's form sends it.
  const ctx = await testContext(browser);
  const login = await ctx.request.post(`${server.baseUrl}/api/auth/login`, { data: { login: 'dispatcher', password: 'jardem-demo' } });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const meta = (await (await ctx.request.get(`${server.baseUrl}/api/meta`)).json()) as { districts: { lng: number; lat: number }[] };
  const created = await ctx.request.post(`${server.baseUrl}/api/incidents`, {
    headers: { 'x-csrf-token': csrfToken },
    data: {
      type: 'complaint',
      category: 'roads.pothole',
      channel: 'phone',
      description: 'Яма у остановки',
      location: { type: 'Point', coordinates: [meta.districts[0].lng, meta.districts[0].lat] },
      reporter: { name: 'Сауле', phone: '+7 701 900 80 70', lang: 'kk' },
    },
  });
  expect(created.status()).toBe(201);
  appeal = (await created.json()) as typeof appeal;
  await ctx.close();
  // The outbox sends within a few seconds.
  const end = Date.now() + 30_000;
  while (!gw.calls.some((c) => String(c.body.text).includes(appeal.number))) {
    if (Date.now() > end) throw new Error('no SMS reached the gateway');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Clicks the map at [lng, lat] (projected by the page's own map). */
async function clickMapAt(page: Page, lng: number, lat: number) {
  type TestMap = { jumpTo(o: object): void; project(p: [number, number]): { x: number; y: number } };
  await page.evaluate(([a, b]) => (window as unknown as { __jardemMap: TestMap }).__jardemMap.jumpTo({ center: [a, b], zoom: 15 }), [
    lng,
    lat,
  ] as const);
  await waitForMapIdle(page);
  const { x, y } = await page.evaluate(([a, b]) => (window as unknown as { __jardemMap: TestMap }).__jardemMap.project([a, b]), [
    lng,
    lat,
  ] as const);
  const box = (await page.getByTestId('map').boundingBox())!;
  await page.mouse.click(box.x + x, box.y + y);
}

describe('the SMS language at intake', () => {
  it('the dispatcher form sends the caller the number in the language chosen', async () => {
    const ctx = await signedInContext(browser, server.baseUrl, 'dispatcher', { viewport: { width: 1440, height: 900 }, locale: 'ru-RU' });
    const meta = (await (await ctx.request.get(`${server.baseUrl}/api/meta`)).json()) as {
      categories: { code: string; name: { ru: string } }[];
      districts: { lng: number; lat: number }[];
    };
    const pothole = meta.categories.find((c) => c.code === 'roads.pothole')!;
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/intake`);
    await page.getByTestId('intake-form').waitFor({ timeout: 30_000 });
    await waitForMapIdle(page);
    await page.getByTestId('intake-category').fill(pothole.name.ru);
    await page.getByTestId('intake-category-option').first().waitFor();
    await page.getByTestId('intake-category').press('Enter');
    await clickMapAt(page, meta.districts[0].lng, meta.districts[0].lat);
    await page.getByTestId('intake-marker').waitFor();
    await page.getByTestId('intake-description').fill('E2E: SMS на казахском');
    // The choice shows once there is a phone to text.
    expect(await page.getByTestId('intake-sms-lang').count()).toBe(0);
    await page.locator('#intake-phone').fill('+7 702 333 44 55');
    await page.getByTestId('intake-sms-lang').selectOption('kk');
    await page.getByTestId('intake-submit').click();
    const numberEl = page.getByTestId('intake-number');
    await numberEl.waitFor({ timeout: 20_000 });
    const number = (await numberEl.textContent())!.trim();
    await expect
      .poll(() => gw.calls.find((c) => String(c.body.text).includes(number))?.body, { timeout: 30_000 })
      .toMatchObject({ to: '77023334455', text: `109 орталығы: өтініш ${number} тіркелді.` });
    await ctx.close();
  });
});

describe('SMS on the appeal panel', () => {
  const expected = {
    kk: { title: 'Өтініш берушілерге SMS', kind: 'Нөмір', state: 'Жіберілді' },
    ru: { title: 'SMS заявителям', kind: 'Номер', state: 'Отправлено' },
    en: { title: 'SMS to callers', kind: 'Number', state: 'Sent' },
  };

  for (const [lang, words] of Object.entries(expected)) {
    it(`shows the dispatcher the SMS sent and its state (${lang})`, async () => {
      const ctx = await signedInContext(browser, server.baseUrl, 'dispatcher', { viewport: { width: 360, height: 640 } });
      await ctx.addInitScript((l) => localStorage.setItem('jardem.lang', l), lang);
      const page = await ctx.newPage();
      await page.goto(`${server.baseUrl}/incidents/${appeal.id}`);
      const box = page.getByTestId('sms-status');
      await box.waitFor({ timeout: 30_000 });
      const text = await box.innerText();
      expect(text).toContain(words.title);
      expect(text).toContain(words.kind);
      expect(text).toContain('+7 701 900 80 70');
      expect(text).toContain(words.state);
      await ctx.close();
    });
  }

  it('shows a visitor no SMS and no phone', async () => {
    const ctx = await testContext(browser, { locale: 'ru-RU' });
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/incidents/${appeal.id}`);
    await page.getByTestId('incident-panel').getByText(appeal.number).first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('sms-status').count()).toBe(0);
    expect(await page.content()).not.toContain('900 80 70');
    await ctx.close();
  });
});
