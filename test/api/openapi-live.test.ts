import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

/**
 * Issue 21: /api/openapi.json against the live API. Every parameterless GET (and a few with ids)
 * is called; its status must be documented, its Content-Type must be the documented media type,
 * and its body must validate against the documented schema (Ajv, JSON Schema 2020-12 as OpenAPI
 * 3.1 uses). Public operations say `security: []`.
 */
const t = testApp();
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

/** GETs that stream or page without end, or need a body we do not have here. */
const SKIP = new Set(['/api/live']);

describe('/api/openapi.json matches the live answers', () => {
  it('documents the status, media type and body of every parameterless GET and a few with ids', async () => {
    const admin = await t.login('admin');
    const { body: doc } = await t.json('/api/openapi.json');
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    const id = (await t.pool.query('SELECT min(id)::int AS id FROM incidents')).rows[0].id;
    const paths = Object.keys(doc.paths).filter((p) => doc.paths[p].get && !p.includes('{') && !SKIP.has(p));
    paths.push(`/api/incidents/${id}`);
    const problems: string[] = [];
    let checked = 0;
    for (const path of paths) {
      const template = path.replace(/\/\d+$/, '/{id}');
      const op = doc.paths[template].get;
      const res = await t.request(path, { headers: { cookie: admin } });
      const documented = op.responses[String(res.status)];
      // Every body is read: a streamed export left unread would keep its database client.
      const text = await res.text();
      if (!documented) {
        problems.push(`${path}: ${res.status} not documented`);
        continue;
      }
      if (!documented.content) continue;
      const [[type, media]] = Object.entries<any>(documented.content);
      const served = (res.headers.get('content-type') ?? '').split(';')[0];
      if (served !== type) problems.push(`${path}: serves ${served}, documents ${type}`);
      if (!/json/.test(type)) continue;
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"doc#/components/'));
      const validate = ajv.compile(schema);
      if (!validate(JSON.parse(text))) problems.push(`${path}: ${ajv.errorsText(validate.errors?.slice(0, 3))}`);
      checked++;
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(15);
  });

  it('says security: [] on public operations and names the session on the others', async () => {
    const { body: doc } = await t.json('/api/openapi.json');
    expect(doc.paths['/api/health'].get.security).toEqual([]);
    expect(doc.paths['/api/meta'].get.security).toEqual([]);
    expect(doc.paths['/tiles/incidents/{z}/{x}/{y}.mvt'].get.security).toEqual([]);
    expect(doc.paths['/api/control'].get.security).toEqual([{ session: [] }]);
    for (const [path, item] of Object.entries<any>(doc.paths))
      for (const [method, op] of Object.entries<any>(item)) {
        expect(op.security, `${method} ${path}`).toBeDefined();
        expect(op.responses['429'], `${method} ${path}`).toBeDefined();
      }
    expect(doc.paths['/api/incidents/{id}'].get.responses['404']).toBeDefined();
    expect(doc.paths['/api/incidents'].get.responses['503']).toBeDefined();
  });
});
