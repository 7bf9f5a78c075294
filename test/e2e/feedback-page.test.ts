/**
 * The page a citizen's feedback link opens (issue 20), in a real browser with JavaScript off,
 * on a 360×640 phone, in Kazakh, Russian and English: it shows what was done, rates with plain
 * form posts and says so; a dispute reopens the appeal; an unknown link says so. Screenshots go
 * to .tmp/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { citizenAppeal } from '../helpers/citizen.ts';

const baseUrl = inject('baseUrl');
const SHOTS = '.tmp';
const TEXT = {
  kk: { rate: 'Бағаны жіберу', thanks: 'Рахмет! Бағаңыз қабылданды.', disputed: 'Өтініш қайта ашылып' },
  ru: { rate: 'Отправить оценку', thanks: 'Спасибо! Ваша оценка принята.', disputed: 'Обращение открыто снова' },
  en: { rate: 'Send rating', thanks: 'Thank you! Your rating was recorded.', disputed: 'The appeal was reopened' },
};
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false, isMobile: true, locale: 'kk-KZ' });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

async function expectFits(page: Page) {
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(widths[0]).toBeLessThanOrEqual(widths[1]);
}

describe('the feedback page with JavaScript off', () => {
  for (const lang of ['kk', 'ru', 'en'] as const) {
    it(`rates the result in ${lang} with a plain form post`, async () => {
      const a = await citizenAppeal(baseUrl, `+7 701 400 10 0${lang.length}`, 'Крышку люка заменили');
      const page = await context.newPage();
      await page.goto(`${baseUrl}/feedback/${a.token}?lang=${lang}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.textContent('main')).toContain('Крышку люка заменили');
      await expectFits(page);
      await page.screenshot({ path: `${SHOTS}/feedback-${lang}-360.png`, fullPage: true });
      await page.locator('.stars label').nth(3).click();
      await page.locator('textarea[name=comment]').first().fill('Хорошо');
      await page.getByRole('button', { name: TEXT[lang].rate }).click();
      await page.waitForURL(/done=rated/);
      expect(await page.textContent('main')).toContain(TEXT[lang].thanks);
      expect(await page.locator('input[name=rating]').count()).toBe(0);
      await expectFits(page);
      await page.screenshot({ path: `${SHOTS}/feedback-${lang}-360-thanks.png`, fullPage: true });
      const pub = await (await fetch(`${baseUrl}/api/public/incidents/${a.number}?token=${a.token}`)).json();
      expect(pub.rating).toBe(4);
      await page.close();
    });
  }

  it('disputes: the appeal is reopened', async () => {
    const a = await citizenAppeal(baseUrl, '+7 701 400 20 01', 'Сделано');
    const page = await context.newPage();
    await page.goto(`${baseUrl}/feedback/${a.token}?lang=en`);
    await page.locator('textarea[name=comment]').nth(1).fill('The manhole is still open');
    await page.getByRole('button', { name: 'It is not fixed' }).click();
    await page.waitForURL(/done=disputed/);
    expect(await page.textContent('main')).toContain(TEXT.en.disputed);
    const pub = await (await fetch(`${baseUrl}/api/public/incidents/${a.number}?token=${a.token}`)).json();
    expect(pub.status).toBe('reopened');
    await page.close();
  });

  it('says plainly that a link is unknown, in the browser’s language', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${baseUrl}/feedback/${'x'.repeat(43)}`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent('main')).toContain('Мұндай сілтеме бізде жоқ');
    await expectFits(page);
    await page.screenshot({ path: `${SHOTS}/feedback-unknown-kk-360.png` });
    await page.close();
  });
});
