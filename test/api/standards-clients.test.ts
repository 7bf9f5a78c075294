import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

/**
 * What clients nobody here wrote (OWSLib, @camptocamp/ogc-client, the OGC checker's GeoJSON
 * rules, browser Open311 apps behind other origins) need from /ogc and /open311 (issue 21).
 */

const t = testApp();
// Appeals registered from now on (other test files create some) stay out of the comparisons.
const UNTIL = `datetime=${encodeURIComponent(`../${new Date().toISOString()}`)}`;
const relative = (href: string) => new URL(href).pathname + new URL(href).search;
const link = (body: any, rel: string) => body.links.find((l: any) => l.rel === rel);

describe('OGC API – Features: the paths clients ask for', () => {
  it.each([
    ['/ogc/', '/ogc'],
    ['/ogc/conformance/', '/ogc/conformance'],
    ['/ogc/collections/', '/ogc/collections'],
  ])('serves %s like %s, with links without the slash', async (slashed, plain) => {
    const a = await t.request(slashed);
    const b = await t.request(plain);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe(b.headers.get('content-type'));
    const [ja, jb] = [await a.json(), await b.json()];
    expect(ja).toEqual(jb);
    for (const l of ja.links ?? []) expect(new URL(l.href).pathname).not.toMatch(/\/$/);
  });

  it('answers an unknown parameter with the OGC exception shape, keeping the JSON error shape', async () => {
    const res = await t.request('/ogc/collections/incidents/items?foo=1');
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(body).toMatchObject({ code: 'unknown_parameter', description: expect.stringContaining('foo') });
    expect(body.error.code).toBe('unknown_parameter');
    const missing: any = await (await t.request('/ogc/collections/nothing')).json();
    expect(missing).toMatchObject({ code: 'not_found', description: expect.any(String) });
    // The rest of the API keeps its shape only.
    const api: any = await (await t.request('/api/incidents?foo=1')).json();
    expect(api.error.code).toBe('unknown_parameter');
    expect(api.code).toBeUndefined();
  });
});

describe('OGC API – Features: offset on the incidents', () => {
  it('serves the page at an offset, with next and prev links carrying offset, matching cursor paging', async () => {
    const base = `/ogc/collections/incidents/items?limit=7&type=complaint&${UNTIL}`;
    const first: any = await (await t.request(base)).json();
    const second: any = await (await t.request(relative(link(first, 'next').href))).json();
    const byOffset = await t.request(`${base}&offset=7`);
    expect(byOffset.status).toBe(200);
    const page: any = await byOffset.json();
    expect(page.features.map((f: any) => f.id)).toEqual(second.features.map((f: any) => f.id));
    expect(page.numberMatched).toBe(first.numberMatched);
    expect(new URL(link(page, 'next').href).searchParams.get('offset')).toBe('14');
    expect(new URL(link(page, 'prev').href).searchParams.get('offset')).toBe('0');
    const back: any = await (await t.request(relative(link(page, 'prev').href))).json();
    expect(back.features.map((f: any) => f.id)).toEqual(first.features.map((f: any) => f.id));
  });

  it('pages by offset to the end, each feature once', async () => {
    let url: string | undefined = `/ogc/collections/incidents/items?limit=40&type=problem&offset=0&${UNTIL}`;
    const seen = new Set<number>();
    const offsets: (string | null)[] = [];
    const wanted: string[] = [];
    let matched = 0;
    while (url) {
      const body: any = await (await t.request(url)).json();
      matched = body.numberMatched;
      for (const f of body.features) {
        expect(seen.has(f.id)).toBe(false);
        seen.add(f.id);
      }
      const next = link(body, 'next');
      url = next ? relative(next.href) : undefined;
      if (next) {
        offsets.push(new URL(next.href).searchParams.get('offset'));
        wanted.push(String(seen.size));
      }
    }
    expect(seen.size).toBe(matched);
    // Several pages, and every next link carried the offset of the features seen so far.
    expect(offsets.length).toBeGreaterThan(0);
    expect(offsets).toEqual(wanted);
  });

  it('refuses an offset beyond its bound, a negative one, and offset with cursor', async () => {
    for (const qs of ['offset=100001', 'offset=-1', 'offset=x']) {
      const res = await t.request(`/ogc/collections/incidents/items?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(((await res.json()) as any).description).toMatch(/offset/);
    }
    const first: any = await (await t.request('/ogc/collections/incidents/items?limit=2')).json();
    const cursor = new URL(link(first, 'next').href).searchParams.get('cursor');
    expect((await t.request(`/ogc/collections/incidents/items?limit=2&offset=2&cursor=${cursor}`)).status).toBe(400);
  });
});

describe('OGC API – Features: the API description validates what the service answers', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);

  it.each([
    ['/', '/ogc'],
    ['/conformance', '/ogc/conformance'],
    ['/collections', '/ogc/collections'],
    ['/collections/incidents', '/ogc/collections/incidents'],
    ['/collections/districts', '/ogc/collections/districts'],
    ['/collections/incidents/items', '/ogc/collections/incidents/items?limit=5'],
    ['/collections/districts/items', '/ogc/collections/districts/items?limit=2'],
    ['/collections/districts/items/{featureId}', 'district'],
    ['/collections/incidents/items/{featureId}', 'incident'],
  ])('%s: a real schema, and the live answer conforms to it', async (path, url) => {
    const doc: any = await (await t.request('/ogc/api')).json();
    if (!ajv.getSchema('ogc-api')) ajv.addSchema({ ...doc, $id: 'ogc-api' });
    const content = doc.paths[path].get.responses['200'].content;
    const [type, media] = Object.entries<any>(content).find(([k]) => k !== 'text/html')!;
    expect(media.schema).not.toEqual({ type: 'object' });
    if (url === 'district' || url === 'incident') {
      const page: any = await (await t.request(`/ogc/collections/${url}s/items?limit=1`)).json();
      url = `/ogc/collections/${url}s/items/${page.features[0].id}`;
    }
    const res = await t.request(url);
    expect(res.headers.get('content-type')).toBe(type);
    const body = await res.json();
    const pointer = media.schema.$ref ? `ogc-api${media.schema.$ref}` : undefined;
    const validate = pointer ? ajv.getSchema(pointer)! : ajv.compile(media.schema);
    expect(validate(body), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // A schema that takes anything would pass anything: a FeatureCollection without features and a
    // Feature without geometry fail every one of these documents' schemas.
    expect(validate({ type: 'FeatureCollection' })).toBe(false);
    expect(validate({ type: 'Feature', properties: {} })).toBe(false);
  });

  it('describes errors with the OGC exception schema', async () => {
    const doc: any = await (await t.request('/ogc/api')).json();
    const bad = doc.paths['/collections/incidents/items'].get.responses['400'].content['application/json'].schema;
    const schema = bad.$ref ? doc.components.schemas[bad.$ref.split('/').at(-1)] : bad;
    expect(schema.required).toContain('code');
    const offset = doc.paths['/collections/incidents/items'].get.parameters.find((p: any) => p.name === 'offset');
    expect(offset.schema).toMatchObject({ minimum: 0, maximum: 100000 });
  });
});

describe('Open311: browsers on other origins', () => {
  it('allows any origin and answers the preflight with 204', async () => {
    const res = await t.request('/open311/v2/services.json', { headers: { origin: 'https://app.example.org' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await t.request('/open311/v2/requests.json', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.org',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/content-type/);
    // A refusal is readable by the browser app too (else it sees a CORS failure, not the reason).
    for (const path of ['/open311/v2/services.json?x=1', '/ogc/collections?x=1']) {
      const refused = await t.request(path, { headers: { origin: 'https://app.example.org' } });
      expect(refused.status, path).toBe(400);
      expect(refused.headers.get('access-control-allow-origin'), path).toBe('*');
    }
  });

  it('opens the OGC API and the tiles to every origin too: answers, empty tiles, errors and preflights', async () => {
    const origin = { origin: 'https://gis.example.org' };
    for (const path of [
      '/ogc/collections/incidents/items?limit=2',
      '/ogc/collections/incidents/items/999999999',
      '/ogc/collections/districts/items?f=html',
      '/tiles/incidents/12/2859/1506.mvt',
      '/tiles/incidents/3/0/0.mvt',
      '/tiles/incidents.json',
    ]) {
      const res = await t.request(path, { headers: origin });
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      // The other headers of every answer are still there.
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    for (const path of ['/ogc/collections/incidents/items', '/tiles/incidents/12/2859/1506.mvt']) {
      const pre = await t.request(path, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET' } });
      expect(pre.status, path).toBe(204);
      expect(pre.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(pre.headers.get('access-control-allow-methods'), path).toMatch(/GET/);
      expect(pre.headers.get('access-control-allow-methods'), path).not.toMatch(/POST/);
    }
  });

  it('says that services vary with Accept-Language, and in which language it answered', async () => {
    const kk = await t.request('/open311/v2/services.json', { headers: { 'accept-language': 'kk' } });
    expect(kk.headers.get('vary')?.toLowerCase()).toContain('accept-language');
    expect(kk.headers.get('content-language')).toBe('kk');
    const plain = await t.request('/open311/v2/services.xml');
    expect(plain.headers.get('content-language')).toBe('ru');
    expect(plain.headers.get('vary')?.toLowerCase()).toContain('accept-language');
  });
});

describe('Public URLs in discovery and links', () => {
  const https = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'jardem.example.kz' };

  it('ignores X-Forwarded-* unless JARDEM_TRUST_PROXY is set', async () => {
    const d: any = await (await t.request('/open311/v2/discovery.json', { headers: https })).json();
    expect(d.endpoints[0].url).toBe('http://localhost/open311/v2');
    const landing: any = await (await t.request('/ogc', { headers: https })).json();
    expect(link(landing, 'conformance').href).toBe('http://localhost/ogc/conformance');
  });

  describe('behind a trusted proxy', () => {
    const proxied = testApp({ JARDEM_TRUST_PROXY: 'true' });
    it('advertises the forwarded scheme and host', async () => {
      const d: any = await (await proxied.request('/open311/v2/discovery.json', { headers: https })).json();
      expect(d.endpoints[0].url).toBe('https://jardem.example.kz/open311/v2');
      const landing: any = await (await proxied.request('/ogc', { headers: https })).json();
      expect(link(landing, 'conformance').href).toBe('https://jardem.example.kz/ogc/conformance');
    });
  });

  describe('with JARDEM_PUBLIC_URL', () => {
    const configured = testApp({ JARDEM_PUBLIC_URL: 'https://109.example.kz/city' });
    it('advertises the configured URL, whatever the request or its headers say', async () => {
      const d: any = await (await configured.request('/open311/v2/discovery.json', { headers: https })).json();
      expect(d.endpoints[0].url).toBe('https://109.example.kz/city/open311/v2');
      const items: any = await (await configured.request('/ogc/collections/incidents/items?limit=2')).json();
      expect(link(items, 'next').href).toMatch(/^https:\/\/109\.example\.kz\/city\/ogc\/collections\/incidents\/items\?/);
    });
  });
});
