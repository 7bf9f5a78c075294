import { describe, expect, it } from 'vitest';
import { describedRoutes, openapiPath } from '../../server/openapi/document.ts';
import { routeDoc } from '../../server/openapi/registry.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();

describe('GET /api/openapi.json', () => {
  it('is OpenAPI 3.1 JSON describing every route mounted under /api, each with a summary', async () => {
    const { status, body } = await t.json('/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(body.info.title).toBeTruthy();
    const mounted = t.app.routes.filter((r) => r.path.startsWith('/api/') && !r.path.includes('*') && r.method !== 'ALL');
    expect(mounted.length).toBeGreaterThan(10);
    const undocumented: string[] = [];
    for (const r of mounted) {
      const path = routeDoc(r.method, r.path)?.openapiPath ?? openapiPath(r.path);
      const op = body.paths[path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      if (!op.summary || op['x-undocumented']) undocumented.push(`${r.method} ${r.path}`);
    }
    // A new route needs a describeRoute() line (server/openapi/api-routes.ts or beside the route).
    expect([...new Set(undocumented)]).toEqual([]);
    // Nothing described that is not mounted.
    const described = describedRoutes(t.app.routes).length;
    const operations = Object.values(body.paths).reduce((n: number, item: any) => n + Object.keys(item).length, 0);
    expect(operations).toBe(described);
  });

  it('takes parameters and bodies from the zod schemas that validate the requests', async () => {
    const { body } = await t.json('/api/openapi.json');
    const list = body.paths['/api/incidents'].get;
    const names = list.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['status', 'type', 'category', 'bbox', 'from', 'to', 'q', 'limit', 'cursor']));
    const status = list.parameters.find((p: any) => p.name === 'status');
    expect(status.schema.items.enum).toEqual(expect.arrayContaining(['open', 'overdue', 'new', 'closed']));
    expect(list.parameters.find((p: any) => p.name === 'limit').schema).toMatchObject({ maximum: 1000, default: 100 });
    const item = body.paths['/api/incidents/{id}'].get;
    expect(item.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    const login = body.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['login', 'password']),
    });
    const csv = body.paths['/api/exports/incidents.csv'].get;
    expect(csv.security).toEqual([{ session: [] }]);
    expect(csv.responses['401']).toBeDefined();
    expect(body.paths['/tiles/incidents/{z}/{x}/{y}.mvt'].get.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['z', 'x', 'y', 'status']),
    );
  });

  it('resolves every $ref within the document, also those of recursive schemas (the catalogue tree)', async () => {
    const { body } = await t.json('/api/openapi.json');
    const refs = [...JSON.stringify(body).matchAll(/"\$ref":"([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    const unresolved = refs.filter((r) => {
      if (!r.startsWith('#/')) return true;
      let at: any = body;
      for (const part of r.slice(2).split('/')) at = at?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
      return at === undefined;
    });
    expect([...new Set(unresolved)]).toEqual([]);
    // The import's body names the category node; the node names its children with the same definition.
    const tree = body.paths['/api/admin/catalogue/import'].post.requestBody.content['application/json'].schema.properties.categories.items;
    const node = tree.$ref.split('/').pop();
    expect(body.components.schemas[node].properties.children.items.$ref).toBe(tree.$ref);
  });
});

describe('GET /api/docs', () => {
  it('is a self-contained HTML page that renders the description', async () => {
    const res = await t.request('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<!doctype html>/i);
    expect(html).toContain('/api/openapi.json');
    // No third-party hosts: the machine may have no internet.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/i);
  });
});
