/**
 * Issue 18 in a real browser: a supervisor sees which service holds an appeal up (the appeal's
 * panel and the district page), and an executor acts on their service's work order in the queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIRequestContext, Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signedInContext } from '../helpers/browser.ts';
import { freePort, type RunningServer, startServer } from '../helpers/server.ts';

let browser: Browser;
let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'jardem-e2e-wo-'));
let executorService = '';
let lead = '';
let meta: { districts: { code: string; lng: number; lat: number }[]; services: { code: string; name: { ru: string } }[] };

beforeAll(async () => {
  server = await startServer({ port: await freePort(), dataDir: dir, demoCount: 100 });
  browser = await launchBrowser();
  // The executor's service, from the admin's list of users (the executor's own control view may be empty).
  const adm = await signedInContext(browser, server.baseUrl, 'admin');
  const users = (await (await adm.request.get(`${server.baseUrl}/api/admin/users`)).json()) as {
    items: { login: string; service: string | null }[];
  };
  executorService = users.items.find((u) => u.login === 'executor')!.service!;
  await adm.close();
  const anon = await browser.newContext();
  meta = (await (await anon.request.get(`${server.baseUrl}/api/meta`)).json()) as typeof meta;
  await anon.close();
  lead =
    meta.services.find((s) => s.code !== executorService && s.code === 'akimat_office')?.code ??
    meta.services.find((s) => s.code !== executorService)!.code;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** As the dispatcher: an appeal led by `lead`, with a work order for the executor's service due at `due`. */
async function appealWithOrder(due?: string) {
  const ctx = await browser.newContext();
  const req: APIRequestContext = ctx.request;
  const login = await req.post(`${server.baseUrl}/api/auth/login`, { data: { login: 'dispatcher', password: 'jardem-demo' } });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { 'x-csrf-token': csrfToken };
  const created = await req.post(`${server.baseUrl}/api/incidents`, {
    headers,
    data: {
      type: 'incident',
      category: 'heating.pipe_burst',
      channel: 'phone',
      description: 'Порыв теплотрассы, вода на дороге',
      location: { type: 'Point', coordinates: [meta.districts[0].lng, meta.districts[0].lat] },
      service: lead,
    },
  });
  expect(created.status()).toBe(201);
  const a = (await created.json()) as { id: number; number: string; status: string };
  expect(a.status).toBe('assigned');
  const wo = await req.post(`${server.baseUrl}/api/incidents/${a.id}/work-orders`, {
    headers,
    data: { service: executorService, task: 'Проверить сети у места порыва', ...(due ? { due_at: due } : {}) },
  });
  expect(wo.status()).toBe(201);
  const list = (await wo.json()) as { work_orders: { id: number }[] };
  await ctx.close();
  return { ...a, wo: list.work_orders[0].id };
}

const ruName = (code: string) => meta.services.find((s) => s.code === code)!.name.ru;

describe('work orders in the browser', () => {
  it('a supervisor sees the service holding the appeal up', async () => {
    // Due in two seconds: by the time the supervisor looks, it is past its deadline.
    const a = await appealWithOrder(new Date(Date.now() + 2000).toISOString());
    await new Promise((r) => setTimeout(r, 2500));
    const ctx = await signedInContext(browser, server.baseUrl, 'supervisor', { viewport: { width: 1440, height: 900 }, locale: 'ru-RU' });
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/incidents/${a.id}`);
    const holding = page.getByTestId('wo-holding');
    await holding.waitFor({ timeout: 30_000 });
    expect(await holding.textContent()).toContain(ruName(executorService));
    expect(await page.getByTestId('wo-row').getAttribute('data-service')).toBe(executorService);
    // The district page lists the overdue work order with its service.
    await page.goto(`${server.baseUrl}/districts/${meta.districts[0].code}`);
    const row = page.getByTestId('coord-wo-overdue').filter({ hasText: a.number });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(ruName(executorService));
    await ctx.close();
  });

  it("an executor takes and finishes their service's work order from the queue", async () => {
    const a = await appealWithOrder();
    const ctx = await signedInContext(browser, server.baseUrl, 'executor', { viewport: { width: 1440, height: 900 }, locale: 'ru-RU' });
    const page = await ctx.newPage();
    await page.goto(`${server.baseUrl}/queue`);
    const row = page.locator(`[data-testid="queue-wo-row"][data-id="${a.wo}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('data-status')).toBe('open');
    await row.getByTestId('queue-wo-take').click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('in_progress');
    await row.getByTestId('queue-wo-done').click();
    await row.getByTestId('queue-wo-note').fill('Сети проверены, утечек нет');
    await row.getByTestId('queue-wo-note-submit').click();
    // Done, it leaves the queue (only pending work orders are listed).
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(0);
    // The queue shows no appeal row without an action.
    for (const r of await page.getByTestId('queue-row').all()) {
      expect(
        (await r.getByTestId('queue-take').count()) +
          (await r.getByTestId('queue-resolve').count()) +
          (await r.getByTestId('queue-blocked').count()),
      ).toBeGreaterThan(0);
    }
    await ctx.close();
  });
});
