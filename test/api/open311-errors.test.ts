import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { tileOf } from '../helpers/tiles.ts';

/**
 * Issue 21, Open311: every refusal and failure goes through errors.ts and comes out in
 * GeoReport v2's error list, in the path's format, with the status and headers the JSON API
 * would give (429 and 503 with Retry-After); the e-mail of a POST is written with the appeal;
 * `service_notice` is one value; `status=open` means what the tiles' `open` means.
 */
const t = testApp();
const xml = new XMLParser({ isArray: (name) => name === 'error' });
let apiKey = '';
let meta: any;

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const request = () => ({
  api_key: apiKey,
  service_code: 'roads.pothole',
  lat: String(meta.districts[0].lat),
  long: String(meta.districts[0].lng),
});

/** The Open311 error list of an answer, in the format the path asked for. */
async function errorsOf(res: Response, format: 'json' | 'xml') {
  const text = await res.text();
  if (format === 'json') {
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return JSON.parse(text) as { code: number; description: string }[];
  }
  expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
  return xml.parse(text).errors.error as { code: number; description: string }[];
}

beforeAll(async () => {
  meta = (await t.json('/api/meta')).body;
  const admin = await t.login('admin');
  const res = await t.json('/api/admin/api-keys', {
    method: 'POST',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `open311 errors ${Date.now()}` }),
  });
  apiKey = res.body.api_key;
  await t.pool.query(`CREATE OR REPLACE FUNCTION test_fail_contact() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.contact = 'fail.midway@example.kz' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
  await t.pool.query(
    `CREATE TRIGGER test_fail_contact AFTER INSERT OR UPDATE ON incident_reporters FOR EACH ROW EXECUTE FUNCTION test_fail_contact()`,
  );
});
afterAll(async () => {
  await t.pool.query('DROP TRIGGER IF EXISTS test_fail_contact ON incident_reporters');
  await t.pool.query('DROP FUNCTION IF EXISTS test_fail_contact()');
});

describe('Open311 errors go through errors.ts', () => {
  it.each(['json', 'xml'] as const)('past the rate limit: 429 with Retry-After as an Open311 error list (%s)', async (format) => {
    const limited = testApp({ JARDEM_RATE_LIMIT: '2', JARDEM_TRUST_PROXY: 'true' });
    const from = { headers: { 'x-forwarded-for': format === 'json' ? '192.0.2.31' : '192.0.2.32' } };
    for (let i = 0; i < 2; i++) expect((await limited.request(`/open311/v2/services.${format}`, from)).status).toBe(200);
    const res = await limited.request(`/open311/v2/services.${format}`, from);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await errorsOf(res, format)).toEqual([{ code: 429, description: expect.stringMatching(/Too many requests/) }]);
  });

  it('a body over the 1 MiB limit is a 413 in Open311 format', async () => {
    const res = await t.request('/open311/v2/requests.xml', form({ description: 'x'.repeat(1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(await errorsOf(res, 'xml')).toEqual([{ code: 413, description: expect.any(String) }]);
  });

  it.each(['json', 'xml'] as const)('a path Open311 does not define is a 404 in Open311 format (%s)', async (format) => {
    const res = await t.request(`/open311/v2/requests/1/notes.${format}`);
    expect(res.status).toBe(404);
    expect(await errorsOf(res, format)).toEqual([{ code: 404, description: expect.any(String) }]);
  });

  it('a point outside the city is a 400 with the reason, as the spec knows it', async () => {
    const res = await t.request('/open311/v2/requests.json', form({ ...request(), lat: '10', long: '10' }));
    expect(res.status).toBe(400);
    expect((await errorsOf(res, 'json'))[0].description).toMatch(/outside the city/);
  });
});

describe('Open311 POST: the e-mail is written with the appeal', () => {
  const description = `open311 e-mail ${Date.now()}`;

  it('a failure writing the e-mail leaves no appeal behind and answers an error', async () => {
    const res = await t.request(
      '/open311/v2/requests.json',
      form({ ...request(), description: `${description} fails`, email: 'fail.midway@example.kz' }),
    );
    expect(res.status).toBe(500);
    const [err] = await errorsOf(res, 'json');
    expect(err.description).not.toMatch(/injected|trigger|INSERT/);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM incidents WHERE description = $1', [`${description} fails`]);
    expect(rows[0].n).toBe(0);
  });

  it('a success keeps the e-mail with the reporter and answers 200', async () => {
    const res = await t.request('/open311/v2/requests.json', form({ ...request(), description, email: 'ok.reporter@example.kz' }));
    expect(res.status).toBe(200);
    const [out] = await res.json();
    const { rows } = await t.pool.query('SELECT contact FROM incident_reporters WHERE incident_id = $1', [out.service_request_id]);
    expect(rows.map((r) => r.contact)).toEqual(['ok.reporter@example.kz']);
  });
});

describe('Open311: one service_notice, one meaning of open', () => {
  it('service_notice of the POST answer is the one GET /requests/:id shows', async () => {
    const res = await t.request('/open311/v2/requests.json', form({ ...request(), description: 'open311 notice' }));
    const [posted] = await res.json();
    const [got] = (await t.json(`/open311/v2/requests/${posted.service_request_id}.json`)).body;
    expect(posted.service_notice).toBe(got.service_notice);
    const xmlGot = xml.parse(await (await t.request(`/open311/v2/requests/${posted.service_request_id}.xml`)).text());
    expect(String(xmlGot.service_requests.request.service_notice)).toBe(posted.service_notice);
  });

  it('a resolved appeal awaiting the citizen is open in Open311 as on the tiles', async () => {
    const { rows } = await t.pool.query(
      `SELECT i.id, c.code, i.created_at, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat FROM incidents i JOIN categories c ON c.id = i.category_id
        WHERE i.status = 'resolved' AND i.created_at > now() - interval '80 days' ORDER BY i.id LIMIT 1`,
    );
    expect(rows.length).toBe(1);
    const r = rows[0];
    const [one] = (await t.json(`/open311/v2/requests/${r.id}.json`)).body;
    expect(one.status).toBe('open');
    const at = new Date(r.created_at);
    const window = `start_date=${new Date(at.getTime() - 1000).toISOString()}&end_date=${new Date(at.getTime() + 1000).toISOString()}`;
    const open = (await t.json(`/open311/v2/requests.json?status=open&service_code=${r.code}&${window}&page_size=1000`)).body;
    expect(open.map((x: any) => Number(x.service_request_id))).toContain(Number(r.id));
    const closed = (await t.json(`/open311/v2/requests.json?status=closed&service_code=${r.code}&${window}&page_size=1000`)).body;
    expect(closed.map((x: any) => Number(x.service_request_id))).not.toContain(Number(r.id));
    // The tiles' default (open) draws it too.
    const { x, y } = tileOf(r.lng, r.lat, 16);
    const tile = await t.request(`/tiles/incidents/16/${x}/${y}.mvt`);
    expect(tile.status).toBe(200);
    const layer = new VectorTile(new PbfReader(new Uint8Array(await tile.arrayBuffer()))).layers.incidents;
    const ids = Array.from({ length: layer.length }, (_, i) => Number(layer.feature(i).properties.id));
    expect(ids).toContain(Number(r.id));
  });
});
