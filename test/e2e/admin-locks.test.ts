/**
 * The sign-in locks panel of the admin screen in a real browser (issue 15, finding 5): a pair
 * locked by wrong passwords is listed with its login and address, and the Lift button frees it.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, testContext } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
const LOGIN = 'e2e-locked-login';
let browser: Browser;
let context: BrowserContext;

const wrongSignIn = () =>
  fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: LOGIN, password: 'not-the-password' }),
  });

beforeAll(async () => {
  browser = await launchBrowser();
  context = await testContext(browser, { viewport: { width: 1400, height: 1000 }, locale: 'en-GB' });
  const res = await context.request.post(`${baseUrl}/api/auth/login`, { data: { login: 'admin', password: 'jardem-demo' } });
  expect(res.status()).toBe(200);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

it('lists a locked sign-in and lifts it', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) codes.push((await wrongSignIn()).status);
  expect(codes.at(-1)).toBe(429);

  const page = await context.newPage();
  await page.goto(`${baseUrl}/admin`);
  const panel = page.getByTestId('sign-in-locks');
  const row = panel.locator('tr', { hasText: LOGIN });
  await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
  expect(await row.textContent()).toMatch(/127\.0\.0\.1/);
  await row.getByRole('button').click();
  await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
  expect(await panel.getByRole('status').textContent()).toBeTruthy();
  // Lifted: the next wrong password is counted again (401), not refused.
  expect((await wrongSignIn()).status).toBe(401);
  await page.close();
});
