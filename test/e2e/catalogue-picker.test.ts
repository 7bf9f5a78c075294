/**
 * Issue 19: the intake picker over the 1,000+ kinds of the Taraz catalogue, used with the
 * keyboard only: callers' words (both alphabets) typed, arrows and Enter to choose, the sphere
 * beside each option, a kind suggested from the description, an information request's answer.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signedInContext } from '../helpers/browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, baseUrl, 'dispatcher', { viewport: { width: 1600, height: 1000 }, locale: 'ru-RU' }, pageErrors);
  page = await context.newPage();
  await page.goto(`${baseUrl}/intake`);
  await page.getByTestId('intake-form').waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const chosen = () => page.getByTestId('intake-category-chosen').getAttribute('data-code');
/** Moves the focus with Tab (and Shift+Tab) until the element with `testId` has it. */
async function tabTo(testId: string, back = false) {
  for (let i = 0; i < 60; i++) {
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`could not reach ${testId} with the keyboard`);
}
/** Back to an empty search: Shift+Tab from the search's next field to "change", Enter; the focus lands in the search. */
async function change() {
  await page.getByTestId('intake-category-chosen').locator('button').waitFor();
  for (let i = 0; i < 5 && !(await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Изменить')); i++)
    await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await page.getByTestId('intake-category').waitFor();
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('intake-category');
}

describe('the catalogue picker at 1,000+ kinds, with the keyboard only', () => {
  it('serves the whole catalogue and picks a kind from callers’ words with Enter', async () => {
    const kinds = await page.evaluate(async () => {
      const meta = (await (await fetch('/api/meta')).json()) as { categories: { depth: number }[] };
      return meta.categories.filter((c) => c.depth >= 2).length;
    });
    expect(kinds).toBeGreaterThanOrEqual(1000);
    await tabTo('intake-category');
    await page.keyboard.type('лифт застрял');
    await page.getByTestId('intake-category-option').first().waitFor();
    // The sphere is shown beside each option.
    expect(await page.getByTestId('intake-category-option').first().textContent()).toContain('Лифты');
    await page.keyboard.press('Enter');
    expect(await chosen()).toMatch(/^lifts\.stuck/);
  });

  it('goes down the list with the arrows; Latin transliteration of Kazakh finds the power cut', async () => {
    await change();
    await page.keyboard.type('uide jaryq joq');
    await page.getByTestId('intake-category-option').first().waitFor();
    const codes = await page.getByTestId('intake-category-option').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    const at = codes.findIndex((c) => c?.startsWith('electricity.outage'));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(5);
    for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await chosen()).toBe(codes[at]);
  });

  it('suggests a kind from the description typed first, taken with Enter in the empty search', async () => {
    await change();
    await tabTo('intake-description');
    await page.keyboard.type('Во дворе стая собак бросается на детей');
    await page.getByTestId('intake-category-suggestion').waitFor();
    await tabTo('intake-category', true);
    await page.keyboard.press('Enter');
    expect(await chosen()).toMatch(/^animals\.dogs/);
  });

  it('shows the answer of an information request and sets the appeal’s type to match', async () => {
    await change();
    await page.keyboard.type('до скольки можно шуметь ночью');
    await page.getByTestId('intake-category-option').first().waitFor();
    const codes = await page.getByTestId('intake-category-option').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    const at = codes.indexOf('noise.info.quiet_hours');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(5);
    for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await chosen()).toBe('noise.info.quiet_hours');
    expect(await page.getByTestId('intake-category-answer').textContent()).toContain('23:00');
    expect(await page.getByRole('button', { name: 'Запрос информации' }).getAttribute('aria-pressed')).toBe('true');
    expect(pageErrors).toEqual([]);
  });
});
