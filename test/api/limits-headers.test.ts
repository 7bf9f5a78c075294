import { afterAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { probeTally } from '../helpers/probes.ts';

const t = testApp();
// What the hostile parts tried, for the probes table of docs/security.md.
const oversized = probeTally('limits-headers.test.ts', 'bodies over 1 MiB');
const flooding = probeTally('limits-headers.test.ts', 'requests past the per-address rate limit');
afterAll(() => {
  oversized.record();
  flooding.record();
});
const counted = (tally: ReturnType<typeof probeTally>, res: Response) => {
  tally.tried++;
  if (res.status >= 500) tally.fiveXX++;
  return res;
};

describe('security headers', () => {
  it('come with every answer: API, errors, Open311, OGC, tiles and the docs page', async () => {
    for (const path of [
      '/api/health',
      '/api/nothing',
      '/api/control',
      '/open311/v2/discovery.json',
      '/ogc',
      '/tiles/incidents/1/0/0.mvt',
      '/api/docs',
    ]) {
      const res = await t.request(path);
      const csp = res.headers.get('content-security-policy');
      expect(csp, path).toBeTruthy();
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
    }
  });

  it("let MapLibre's blob: workers run and the configured tile hosts load, and nothing else", async () => {
    const plain = (await t.request('/api/health')).headers.get('content-security-policy')!;
    const directive = (csp: string, name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `)) ?? '';
    expect(directive(plain, 'worker-src')).toMatch(/blob:/);
    expect(directive(plain, 'script-src')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(directive(plain, 'connect-src')).toBe("connect-src 'self'");
    const online = testApp({
      JARDEM_BASEMAP_URL: 'https://tiles.example.org/styles/basic/style.json',
      JARDEM_TILE_ORIGINS: 'https://fonts.example.net, https://a.tiles.example.org',
    });
    const csp = (await online.request('/api/health')).headers.get('content-security-policy')!;
    for (const name of ['connect-src', 'img-src']) {
      expect(directive(csp, name)).toContain('https://tiles.example.org');
      expect(directive(csp, name)).toContain('https://a.tiles.example.org');
      expect(directive(csp, name)).toContain('https://fonts.example.net');
    }
    expect(() => testApp({ JARDEM_TILE_ORIGINS: "https://x.org; script-src 'unsafe-inline'" })).toThrow(/JARDEM_TILE_ORIGINS/);
  });

  it('allow the one inline script of /api/docs by its hash', async () => {
    const res = await t.request('/api/docs');
    const script = /<script>([\s\S]*?)<\/script>/.exec(await res.text())![1];
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(script).digest('base64');
    expect(res.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`);
  });
});

describe('body size limits', () => {
  const big = 'x'.repeat(1024 * 1024 + 10);
  it('answer 413 for the API and for Open311 submissions', async () => {
    const api = await t.json('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    counted(oversized, new Response(null, { status: api.status }));
    expect(api.status).toBe(413);
    expect(api.body.error.code).toBe('payload_too_large');
    const open311 = counted(
      oversized,
      await t.request('/open311/v2/requests.json', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `description=${big}`,
      }),
    );
    expect(open311.status).toBe(413);
  });
});

describe('rate limits per client', () => {
  it('answer 429 with Retry-After past the limit, per client address, on the API, Open311, OGC and tiles', async () => {
    const limited = testApp({ JARDEM_RATE_LIMIT: '5', JARDEM_TRUST_PROXY: 'true' });
    const from = async (address: string, path = '/api/health') =>
      counted(flooding, await limited.request(path, { headers: { 'x-forwarded-for': address } }));
    const paths = ['/api/health', '/api/meta', '/ogc', '/open311/v2/discovery.json', '/tiles/incidents/1/0/0.mvt'];
    for (const path of paths) expect((await from('192.0.2.1', path)).status, path).toBeLessThan(300);
    for (const path of paths) {
      const res = await from('192.0.2.1', path);
      expect(res.status, path).toBe(429);
      const retry = Number(res.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
    }
    const body = await (await from('192.0.2.1')).json();
    expect(body.error.code).toBe('rate_limited');
    // Another client is not affected.
    expect((await from('192.0.2.2')).status).toBe(200);
    // The static client (index, assets) is not an API: it is not counted.
    expect((await from('192.0.2.1', '/wall')).status).not.toBe(429);
  });

  it('are generous by default (a wall and the tests stay far below)', async () => {
    expect(t.config.JARDEM_RATE_LIMIT).toBeGreaterThanOrEqual(1000);
  });
});
