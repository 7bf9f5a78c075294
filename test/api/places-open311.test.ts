import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

// Open311 POST with only an address: the demo gazetteer (source 'demo', the same layout the demo
// appeals' addresses come from) places it, or the request stays refused with a clear message.
const t = testApp();
let apiKey = '';

const post = (form: Record<string, string>) =>
  t.request('/open311/v2/requests.json', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
const base = () => ({ api_key: apiKey, service_code: 'transport.driver.rude', description: 'Open311 address test' });

/** A demo house: its street as stored, its number and its point. */
async function demoHouse(offset: number) {
  const { rows } = await t.pool.query(
    `SELECT id, street, housenumber, ST_X(geom) AS lng, ST_Y(geom) AS lat FROM places
      WHERE source = 'demo' AND kind = 'address' AND street LIKE 'ул.%' ORDER BY id OFFSET $1 LIMIT 1`,
    [offset],
  );
  return rows[0] as { id: number; street: string; housenumber: string; lng: number; lat: number };
}

async function placedAt(res: Response): Promise<{ id: number; lng: number; lat: number; address: string }> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const id = Number(JSON.parse(text)[0].service_request_id);
  const { rows } = await t.pool.query('SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat, address FROM incidents WHERE id = $1', [id]);
  return { id, ...rows[0] };
}

beforeAll(async () => {
  const admin = await t.login('admin');
  const res = await t.json('/api/admin/api-keys', {
    method: 'POST',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `places open311 test ${Date.now()}` }),
  });
  expect(res.status).toBe(201);
  apiKey = res.body.api_key;
});

describe('Open311 POST placed by address', () => {
  it('geocodes address_string alone (typed in Kazakh, without the type word) to the house', async () => {
    const house = await demoHouse(250);
    // "ул. Пушкина" typed as "Пушкин көшесі": the other language's form of the same street.
    const name = house.street.replace(/^ул\. /, '');
    const typed = `${name} көшесі ${house.housenumber}`;
    const r = await placedAt(await post({ ...base(), address_string: typed }));
    expect(r.lng).toBeCloseTo(house.lng, 6);
    expect(r.lat).toBeCloseTo(house.lat, 6);
    expect(r.address).toBe(typed);
  });

  it('places by address_id, a place id from /api/places/search', async () => {
    const house = await demoHouse(400);
    const r = await placedAt(await post({ ...base(), address_id: String(house.id) }));
    expect(r.lng).toBeCloseTo(house.lng, 6);
    expect(r.lat).toBeCloseTo(house.lat, 6);
    expect(r.address).toBe(`${house.street}, ${house.housenumber}`);
  });

  it('places a crossing of two streets', async () => {
    const r = await placedAt(await post({ ...base(), address_string: 'угол Толе би и Абая' }));
    const { rows } = await t.pool.query(
      `SELECT min(ST_Distance(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, geom::geography)) AS d
         FROM places WHERE source = 'demo' AND kind = 'street' AND names->>'ru' IN ('пр. Толе би', 'пр. Абая') GROUP BY names->>'ru'`,
      [r.lng, r.lat],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.d).toBeLessThan(1);
  });

  it('keeps refusing what it cannot place with confidence', async () => {
    const forms: Record<string, string>[] = [
      { address_string: 'ул. Несуществующая, 1' },
      { address_string: 'пр. Толе би, 99999' }, // a real street, but no such house
      { address_id: '999999999' },
      { address_id: 'abc' },
    ];
    for (const form of forms) {
      const res = await post({ ...base(), ...form });
      expect(res.status).toBe(400);
      const [err] = await res.json();
      expect(err.description).toMatch(/address|place/);
    }
  });
});
