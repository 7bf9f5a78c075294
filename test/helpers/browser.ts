import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium with software WebGL (SwiftShader), so MapLibre renders headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A browser context whose pages expose their MapLibre map as `window.__jardemMap` (the client
 * does so only when a test asks, through `__jardemTestHooks`), for waiting on tiles and reading
 * rendered features.
 */
export async function testContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript(() => {
    (window as unknown as { __jardemTestHooks?: boolean }).__jardemTestHooks = true;
  });
  return context;
}

/** A test context (see testContext) whose session is signed in as a demo user. */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  login: string,
  options: BrowserContextOptions = {},
  pageErrors?: string[],
): Promise<BrowserContext> {
  const context = await testContext(browser, options);
  if (pageErrors) context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
  const res = await context.request.post(`${baseUrl}/api/auth/login`, { data: { login, password: 'jardem-demo' } });
  if (res.status() !== 200) throw new Error(`sign-in as ${login}: ${res.status()}`);
  return context;
}

interface TestMap {
  loaded(): boolean;
  isMoving(): boolean;
  areTilesLoaded(): boolean;
}

/** Waits until the page's map has loaded, stopped moving and drawn every tile in view. */
export async function waitForMapIdle(page: Page, timeout = 45_000): Promise<void> {
  await page.waitForSelector('[data-map-loaded="true"]', { timeout });
  await page.waitForFunction(
    () => {
      const map = (window as unknown as { __jardemMap?: TestMap }).__jardemMap;
      return !!map && map.loaded() && !map.isMoving() && map.areTilesLoaded();
    },
    undefined,
    { timeout: 30_000 },
  );
}

/** Share of canvas pixels that differ from the most common colour (0 = blank). */
export async function canvasVariety(page: Page, selector = '.maplibregl-canvas'): Promise<number> {
  const png = await page.locator(selector).screenshot();
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 16) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const total = data.length / 16;
    return 1 - Math.max(...counts.values()) / total;
  }, png.toString('base64'));
}
