import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IncidentFilterSchema } from '../../server/incidents/filters.ts';
import { buildOpenApi, openapiPath, parametersOf } from '../../server/openapi/document.ts';
import { describeRoute, withSchema } from '../../server/openapi/registry.ts';

describe('OpenAPI from zod', () => {
  it("writes Hono's paths the OpenAPI way", () => {
    expect(openapiPath('/api/incidents/:id')).toBe('/api/incidents/{id}');
    expect(openapiPath('/api/feedback/:token/dispute')).toBe('/api/feedback/{token}/dispute');
    expect(openapiPath('/tiles/incidents/:z/:x/:y{[0-9]+\\.mvt}')).toBe('/tiles/incidents/{z}/{x}/{y}');
  });

  it('shows list filters as comma lists of their enum values, and defaults and bounds as they are', () => {
    const params = parametersOf(
      IncidentFilterSchema.and(z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) })),
      'query',
    );
    const status = params.find((p) => p.name === 'status')!;
    expect(status).toMatchObject({ in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array' } });
    expect(status.schema.items.enum).toEqual(expect.arrayContaining(['new', 'closed', 'open', 'overdue']));
    expect(params.find((p) => p.name === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
    expect(params.find((p) => p.name === 'bbox')!.schema.type).toBe('string');
    expect(params.find((p) => p.name === 'bbox')!.description).toMatch(/minLng/);
  });

  it('builds operations from routes, their validators and their descriptions', () => {
    const query = withSchema(() => undefined, 'query', z.object({ q: z.string().optional() }));
    const body = withSchema(() => undefined, 'json', z.object({ name: z.string().min(1) }));
    describeRoute('POST', '/api/admin/users/:id/password', { summary: 'Change a thing' });
    const doc = buildOpenApi(
      [
        { method: 'ALL', path: '/api/*', handler: () => undefined },
        { method: 'POST', path: '/api/admin/users/:id/password', handler: body },
        { method: 'POST', path: '/api/admin/users/:id/password', handler: () => undefined },
        { method: 'GET', path: '/api/things', handler: query },
        { method: 'GET', path: '/ogc/collections', handler: () => undefined },
      ],
      '1.0.0',
    );
    expect(Object.keys(doc.paths)).toEqual(['/api/admin/users/{id}/password', '/api/things']);
    const post = doc.paths['/api/admin/users/{id}/password'].post as any;
    expect(post.summary).toBe('Change a thing');
    expect(post.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(post.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name'] });
    expect(post.security).toEqual([{ session: [] }]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    const get = doc.paths['/api/things'].get as any;
    expect(get['x-undocumented']).toBe(true);
    expect(get.parameters[0]).toMatchObject({ name: 'q', in: 'query', required: false });
  });
});
