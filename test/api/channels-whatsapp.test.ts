import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createBots } from '../../server/channels/bots.ts';
import { sendResults } from '../../server/channels/notify.ts';
import { testApp } from '../helpers/app.ts';
import { startFakeMessenger } from '../helpers/fake-messenger.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const fake = await startFakeMessenger();
afterAll(() => fake.close());
const APP_SECRET = 'whatsapp-app-secret-for-tests';
const t = testApp({
  WHATSAPP_TOKEN: 'EAAG-test-token',
  WHATSAPP_APP_SECRET: APP_SECRET,
  WHATSAPP_VERIFY_TOKEN: 'verify-me-please',
  WHATSAPP_PHONE_NUMBER_ID: '1098765432',
  WHATSAPP_API_BASE: `${fake.url}/v21.0`,
});
const { kit, must, count } = lifecycleKit(t, 11);

const sign = (raw: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(raw, 'utf8').digest('hex')}`;
let seq = 0;

/** A Cloud API notification with one message from `waId`, as Meta sends it. */
function notification(waId: string, message: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '555',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '77000000109', phone_number_id: '1098765432' },
              contacts: [{ profile: { name: 'Ерлан' }, wa_id: waId }],
              messages: [{ from: waId, id: `wamid.TEST${++seq}`, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
            },
          },
        ],
      },
    ],
  };
}

async function deliver(body: unknown, signature?: string | null) {
  const raw = JSON.stringify(body);
  return t.request('/api/channels/whatsapp/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature ?? sign(raw) }) },
    body: raw,
  });
}

function citizen(waId: string) {
  const send = async (message: Record<string, unknown>) => {
    const body = notification(waId, message);
    const res = await deliver(body);
    expect(res.status).toBe(200);
    return body;
  };
  return {
    text: (body: string) => send({ type: 'text', text: { body } }),
    button: (id: string) => send({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id, title: '…' } } }),
    pick: (id: string) => send({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id, title: '…' } } }),
    location: (lng: number, lat: number) => send({ type: 'location', location: { latitude: lat, longitude: lng } }),
    image: () => send({ type: 'image', image: { id: 'media-77', mime_type: 'image/jpeg', sha256: 'x' } }),
    audio: () => send({ type: 'audio', audio: { id: 'media-audio', mime_type: 'audio/ogg' } }),
    last: () => fake.sentTo(waId).at(-1),
    inbox: () => fake.sentTo(waId),
  };
}

const idsOf = (m: any): string[] =>
  m?.type !== 'interactive'
    ? []
    : m.interactive.type === 'button'
      ? m.interactive.action.buttons.map((b: any) => b.reply.id)
      : m.interactive.action.sections.flatMap((s: any) => s.rows.map((r: any) => r.id));
const bodyOf = (m: any): string => (m.type === 'text' ? m.text.body : m.interactive.body.text);

// Whole conversations over HTTP: generous on a loaded machine.
describe('the WhatsApp webhook', { timeout: 90_000 }, () => {
  it('answers the verification handshake only with the right verify token', async () => {
    const ok = await t.request(
      '/api/channels/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1158201444',
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await t.request('/api/channels/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1');
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('forbidden');
  });

  it('checks X-Hub-Signature-256 over the raw body: missing 401, wrong 403', async () => {
    const body = notification('77010000001', { type: 'text', text: { body: 'hi' } });
    expect((await deliver(body, null)).status).toBe(401);
    expect((await deliver(body, sign(JSON.stringify(body), 'another-secret'))).status).toBe(403);
    // A signature of other bytes (the same JSON re-serialised differently) does not pass either.
    expect((await deliver(body, sign(JSON.stringify(body, null, 1)))).status).toBe(403);
    expect(await count(`SELECT count(*)::int AS n FROM channel_updates WHERE channel = 'whatsapp' AND user_id = '77010000001'`)).toBe(0);
  });

  it('files one appeal through interactive lists and buttons; the result can be disputed', async () => {
    const waId = '77015550101';
    const c = citizen(waId);
    await c.text('Салем');
    expect(c.last().interactive.type).toBe('button');
    expect(idsOf(c.last())).toEqual(['lang:kk', 'lang:ru', 'lang:en']);
    await c.button('lang:ru');
    const spheres = c.last();
    expect(spheres.interactive.type).toBe('list');
    const rows = spheres.interactive.action.sections[0].rows;
    expect(rows.length).toBeLessThanOrEqual(10);
    for (const r of rows) expect(r.title.length).toBeLessThanOrEqual(24);
    await c.pick('page:1');
    await c.pick('page:2');
    expect(idsOf(c.last())).toContain('sph:roads');
    await c.pick('sph:roads');
    await c.pick('cat:roads.collapse');
    await c.audio();
    expect(bodyOf(c.inbox().at(-2))).toMatch(/Голосовые сообщения/);
    await c.text('Провалился асфальт посреди дороги, яма метр шириной');
    await c.location(kit.inside.lng + 0.0009, kit.inside.lat + 0.0009);
    await c.image();
    expect(idsOf(c.last())).toEqual(['confirm', 'restart']);
    const confirm = await c.button('confirm');
    // Meta redelivers the same notification: answered once.
    const n = c.inbox().length;
    await deliver(confirm);
    expect(c.inbox().length).toBe(n);

    const found = await t.pool.query(
      `SELECT i.id, i.number, i.channel, c.code AS category, i.photo_url FROM channel_contacts cc JOIN incidents i ON i.id = cc.incident_id
         JOIN categories c ON c.id = i.category_id WHERE cc.channel = 'whatsapp' AND cc.user_id = $1`,
      [waId],
    );
    expect(found.rows).toHaveLength(1);
    const a = found.rows[0];
    expect(a).toMatchObject({ channel: 'whatsapp', category: 'roads.collapse' });
    expect(a.photo_url).toMatch(/\/api\/channels\/photos\//);
    expect(bodyOf(c.last())).toContain(a.number);
    // A WhatsApp id is the phone number: kept as the reporter's phone, for dispatchers only.
    const rep = await t.pool.query('SELECT name, phone FROM incident_reporters WHERE incident_id = $1', [a.id]);
    expect(rep.rows).toEqual([{ name: 'Ерлан', phone: `+${waId}` }]);
    const pubRes = await t.request(`/api/public/incidents/${a.number}?phone4=${waId.slice(-4)}`);
    expect(pubRes.status).toBe(200);
    const pub = await pubRes.text();
    expect(pub).toContain(a.number);
    expect(pub).not.toContain(waId);
    // Outbound calls carry the access token.
    expect(fake.received.find((r) => r.path === '/v21.0/1098765432/messages')?.headers.authorization).toBe('Bearer EAAG-test-token');

    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'admin', { to: 'in_progress' });
    await must(a.id, 'admin', { to: 'resolved', note: 'Участок заасфальтирован' });
    expect(await sendResults(t.pool, createBots(t.config, t.pool).adapters)).toBeGreaterThanOrEqual(1);
    const result = c.last();
    expect(result.interactive.type).toBe('list');
    const ids = idsOf(result);
    expect(ids).toHaveLength(6);
    await c.pick(ids[5]);
    expect(bodyOf(c.last())).toMatch(/Напишите, что не так/);
    await c.text('Ничего не сделали, яма на месте');
    expect(bodyOf(c.last())).toBe(`Обращение ${a.number} снова открыто. Спасибо, что сообщили.`);
    const after = await t.pool.query('SELECT status FROM incidents WHERE id = $1', [a.id]);
    expect(after.rows[0].status).toBe('reopened');
    const fb = await t.pool.query('SELECT disputed, comment FROM incident_feedback WHERE incident_id = $1', [a.id]);
    expect(fb.rows).toEqual([{ disputed: true, comment: 'Ничего не сделали, яма на месте' }]);
  });

  it('sends a typed address back as a location message; a confirmed pin places the appeal, a refused one marks it to check', async () => {
    const { rows } = await t.pool.query<{ street: string; housenumber: string; lng: number; lat: number }>(
      `SELECT street, housenumber, ST_X(geom) AS lng, ST_Y(geom) AS lat FROM places
        WHERE source = 'demo' AND kind = 'address' AND housenumber ~ '^[0-9]+$' ORDER BY id OFFSET 75 LIMIT 1`,
    );
    const house = rows[0];
    const appealsOf = (waId: string) =>
      t.pool.query(
        `SELECT i.id, i.address, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat FROM channel_contacts cc JOIN incidents i ON i.id = cc.incident_id
          WHERE cc.channel = 'whatsapp' AND cc.user_id = $1`,
        [waId],
      );
    const upTo = async (c: ReturnType<typeof citizen>) => {
      await c.text('hello');
      await c.button('lang:en');
      await c.pick('sph:roads');
      await c.pick('cat:roads.collapse');
      await c.text('The asphalt has sunk in front of the entrance');
      const before = c.inbox().length;
      // The English word order, house number first.
      await c.text(`${house.housenumber} ${house.street}`);
      return c.inbox().slice(before);
    };

    const yes = citizen('77015550102');
    const [pin, question] = await upTo(yes);
    expect(pin).toMatchObject({ messaging_product: 'whatsapp', to: '77015550102', type: 'location' });
    expect(pin.location.latitude).toBeCloseTo(house.lat, 6);
    expect(pin.location.longitude).toBeCloseTo(house.lng, 6);
    expect(pin.location.name).toBe(`${house.street}, ${house.housenumber}`);
    expect(question.interactive.type).toBe('button');
    expect(idsOf(question)).toEqual(['place:yes', 'place:no']);
    expect(bodyOf(question)).toMatch(/Is this the place\?/);
    await yes.button('place:yes');
    await yes.button('skip');
    await yes.button('confirm');
    const [placed] = (await appealsOf('77015550102')).rows;
    expect(placed.lng).toBeCloseTo(house.lng, 6);
    expect(placed.lat).toBeCloseTo(house.lat, 6);
    expect(placed.address).toBe(`${house.street}, ${house.housenumber}`);

    const no = citizen('77015550103');
    await upTo(no);
    await no.button('place:no');
    expect(bodyOf(no.inbox().at(-2))).toMatch(/kept as typed/);
    await no.button('skip');
    expect(bodyOf(no.last())).toContain(`Place: ${house.housenumber} ${house.street} (a dispatcher will check the place)`);
    await no.button('confirm');
    const [toCheck] = (await appealsOf('77015550103')).rows;
    expect(toCheck.address).toBe(`${house.housenumber} ${house.street}`);
    expect(Math.abs(toCheck.lng - house.lng) + Math.abs(toCheck.lat - house.lat)).toBeGreaterThan(1e-4);
    const marks = await t.pool.query(
      `SELECT note, visibility FROM incident_events WHERE incident_id = $1 AND data->>'place_check' = 'true'`,
      [toCheck.id],
    );
    expect(marks.rows).toEqual([{ note: `${house.housenumber} ${house.street}`, visibility: 'internal' }]);
  });
});
