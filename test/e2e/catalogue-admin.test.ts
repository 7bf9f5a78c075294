/**
 * The catalogue editor of /admin in a real browser, driven by the keyboard alone (issue 19,
 * item 3): find a category, add a kind under it, rename it, retire it, read the change log,
 * and preview where an appeal at a point would go. Each step is checked through the API.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
const CODE = 'roads.pothole.e2e_hatch';
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, baseUrl, 'admin', { viewport: { width: 1400, height: 1000 }, locale: 'en-GB' });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Presses Tab until the element with this test id has the focus: it is reachable by keyboard. */
async function tabTo(page: Page, testId: string, max = 600): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${testId} is not reachable with Tab`);
}

const api = async (path: string) => (await context.request.get(`${baseUrl}${path}`)).json();
const catalogueRow = async (code: string) => (await api('/api/admin/catalogue')).categories.find((c: { code: string }) => c.code === code);

it('adds, renames and retires a kind, shows the log and previews routing, with the keyboard only', async () => {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/admin`);
  await page.getByTestId('cat-tree').waitFor({ timeout: 20_000 });

  await tabTo(page, 'cat-search');
  await page.keyboard.type('roads.pothole');
  await tabTo(page, 'cat-match');
  await page.keyboard.press('Enter');
  await page.getByTestId('cat-editor').waitFor();

  // A new kind under the selected category.
  await tabTo(page, 'cat-add-code');
  await page.keyboard.type(CODE);
  await tabTo(page, 'cat-add-kk');
  await page.keyboard.type('Люк батып кетті');
  await tabTo(page, 'cat-add-ru');
  await page.keyboard.type('Просел люк');
  await tabTo(page, 'cat-add-en');
  await page.keyboard.type('Sunken hatch');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await catalogueRow(CODE))?.parent, { timeout: 10_000 }).toBe('roads.pothole');
  expect((await api('/api/meta')).categories.some((c: { code: string }) => c.code === CODE)).toBe(true);

  // The editor now shows it: rename it in English.
  await expect.poll(() => page.getByTestId('cat-name-en').inputValue(), { timeout: 10_000 }).toBe('Sunken hatch');
  await tabTo(page, 'cat-name-en');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Sunken manhole cover');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await catalogueRow(CODE))?.name.en, { timeout: 10_000 }).toBe('Sunken manhole cover');

  // Make it an information request with its answer in three languages, and give it a caller's words (h-catfix).
  await tabTo(page, 'cat-synonyms');
  await page.keyboard.type('люк провалился');
  await tabTo(page, 'cat-info');
  await page.keyboard.press('Space');
  await tabTo(page, 'cat-answer-kk');
  await page.keyboard.type('Қызмет хабардар етілді.');
  await tabTo(page, 'cat-answer-ru');
  await page.keyboard.type('Служба уведомлена.');
  await tabTo(page, 'cat-answer-en');
  await page.keyboard.type('The service has been told.');
  await tabTo(page, 'cat-save');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await catalogueRow(CODE))?.type, { timeout: 10_000 }).toBe('information');
  expect(await catalogueRow(CODE)).toMatchObject({
    answer: { kk: 'Қызмет хабардар етілді.', ru: 'Служба уведомлена.', en: 'The service has been told.' },
    synonyms: ['люк провалился'],
  });
  const inMeta = (await api('/api/meta')).categories.find((c: { code: string }) => c.code === CODE);
  expect(inMeta).toMatchObject({ type: 'information', synonyms: ['люк провалился'] });

  // Retire it: no longer offered at intake.
  await tabTo(page, 'cat-retire');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await catalogueRow(CODE))?.active, { timeout: 10_000 }).toBe(false);
  expect((await api('/api/meta')).categories.some((c: { code: string }) => c.code === CODE)).toBe(false);

  // The change log lists the four changes.
  await tabTo(page, 'cat-tab-history');
  await page.keyboard.press('Enter');
  const log = page.getByTestId('cat-changes');
  await expect.poll(() => log.locator('tr', { hasText: CODE }).count(), { timeout: 10_000 }).toBe(4);

  // Where would a pothole at a district's point go?
  const meta = await api('/api/meta');
  const district = meta.districts[0];
  await tabTo(page, 'cat-tab-routing');
  await page.keyboard.press('Enter');
  await tabTo(page, 'preview-category');
  await page.keyboard.type('roads.pothole');
  await tabTo(page, 'preview-lng');
  await page.keyboard.type(String(district.lng));
  await tabTo(page, 'preview-lat');
  await page.keyboard.type(String(district.lat));
  await page.keyboard.press('Enter');
  const result = page.getByTestId('preview-result');
  // The names are in the interface's language (the city's by default): any of the three.
  const text = async () => (await result.textContent()) ?? '';
  const hasName = (t: string, names: Record<string, string>) => Object.values(names).some((n) => t.includes(n));
  await expect.poll(async () => hasName(await text(), district.name), { timeout: 10_000 }).toBe(true);
  const expected = await context.request.post(`${baseUrl}/api/admin/catalogue/routing/preview`, {
    data: { category: 'roads.pothole', lng: district.lng, lat: district.lat },
    headers: { 'X-CSRF-Token': (await api('/api/auth/me')).csrfToken },
  });
  expect(expected.status()).toBe(200);
  expect(hasName(await text(), (await expected.json()).service.name)).toBe(true);
  await page.close();
});
