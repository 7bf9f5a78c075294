import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createBots } from '../../server/channels/bots.ts';
import { sendResults } from '../../server/channels/notify.ts';
import { testApp } from '../helpers/app.ts';
import { PHOTO_BYTES, startFakeMessenger } from '../helpers/fake-messenger.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const fake = await startFakeMessenger();
afterAll(() => fake.close());
const APP_SECRET = 'messenger-app-secret-for-tests';
const t = testApp({
  FACEBOOK_PAGE_TOKEN: 'EAAP-page-token',
  FACEBOOK_APP_SECRET: APP_SECRET,
  FACEBOOK_VERIFY_TOKEN: 'verify-the-page',
  FACEBOOK_API_BASE: `${fake.url}/v21.0`,
});
const { kit, must, count } = lifecycleKit(t, 97);

const sign = (raw: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(raw, 'utf8').digest('hex')}`;
let seq = 0;

/** A Page webhook event with one messaging item from `psid`, as Meta sends it. */
function event(psid: string, item: Record<string, unknown>) {
  return {
    object: 'page',
    entry: [
      {
        id: '1090001',
        time: Date.now(),
        messaging: [{ sender: { id: psid }, recipient: { id: '1090001' }, timestamp: Date.now() + ++seq, ...item }],
      },
    ],
  };
}

async function deliver(body: unknown, signature?: string | null) {
  const raw = JSON.stringify(body);
  return t.request('/api/channels/facebook/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature ?? sign(raw) }) },
    body: raw,
  });
}

function citizen(psid: string) {
  const send = async (item: Record<string, unknown>) => {
    const body = event(psid, item);
    const res = await deliver(body);
    expect(res.status).toBe(200);
    return body;
  };
  const message = (m: Record<string, unknown>) => send({ message: { mid: `m_TEST${++seq}`, ...m } });
  return {
    text: (text: string) => message({ text }),
    quick: (payload: string) => message({ text: '…', quick_reply: { payload } }),
    postback: (payload: string) => send({ postback: { mid: `m_PB${++seq}`, title: '…', payload } }),
    location: (lng: number, lat: number) => message({ attachments: [{ type: 'location', payload: { coordinates: { lat, long: lng } } }] }),
    image: () => message({ attachments: [{ type: 'image', payload: { url: `${fake.url}/media-download/1` } }] }),
    audio: () => message({ attachments: [{ type: 'audio', payload: { url: `${fake.url}/audio.mp4` } }] }),
    last: () => fake.sentTo(psid).at(-1).message,
    inbox: () => fake.sentTo(psid).map((b: any) => b.message),
  };
}

const payloads = (m: any): string[] => (m?.quick_replies ?? []).map((q: any) => q.payload);

// Whole conversations over HTTP: generous on a loaded machine.
describe('the Messenger webhook', { timeout: 90_000 }, () => {
  it('answers the verification handshake only with the right verify token', async () => {
    const ok = await t.request(
      '/api/channels/facebook/webhook?hub.mode=subscribe&hub.verify_token=verify-the-page&hub.challenge=CHALLENGE_ACCEPTED',
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('CHALLENGE_ACCEPTED');
    const wrong = await t.request('/api/channels/facebook/webhook?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1');
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('forbidden');
    const mode = await t.request('/api/channels/facebook/webhook?hub.mode=unsubscribe&hub.verify_token=verify-the-page&hub.challenge=1');
    expect(mode.status).toBe(403);
  });

  it('checks X-Hub-Signature-256 over the raw body: missing 401, wrong 403; a bad body 400', async () => {
    const body = event('6100000000000001', { message: { mid: 'm_sig', text: 'hi' } });
    expect((await deliver(body, null)).status).toBe(401);
    expect((await deliver(body, sign(JSON.stringify(body), 'another-secret'))).status).toBe(403);
    expect((await deliver(body, sign(JSON.stringify(body, null, 1)))).status).toBe(403);
    expect(await count(`SELECT count(*)::int AS n FROM channel_updates WHERE channel = 'facebook' AND user_id = '6100000000000001'`)).toBe(
      0,
    );
    const bad = await deliver({ object: 'page', entry: [{ messaging: [{ sender: {} }] }] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('bad_request');
  });

  it('files one appeal through quick replies, a location and an image, in Kazakh; a redelivery is answered once', async () => {
    const psid = '6100000000000002';
    const c = citizen(psid);
    await c.text('Сәлем');
    expect(payloads(c.last())).toEqual(['lang:kk', 'lang:ru', 'lang:en']);
    await c.quick('lang:kk');
    const spheres = c.last();
    expect(spheres.quick_replies.length).toBeLessThanOrEqual(13);
    for (const q of spheres.quick_replies) expect(q.title.length).toBeLessThanOrEqual(20);
    // Long names are listed in full in the text and numbered on the buttons.
    expect(spheres.quick_replies[0].title).toMatch(/^1\. /);
    expect(spheres.text).toMatch(/\n1\. .+\n2\. /);
    await c.quick('page:1');
    await c.quick('page:2');
    expect(payloads(c.last())).toContain('sph:roads');
    await c.quick('sph:roads');
    await c.quick('cat:roads.collapse');
    await c.audio();
    expect(c.inbox().at(-2).text).toMatch(/Дауыстық хабарлар/);
    await c.text('Жол ортасында асфальт опырылды, шұңқыр үлкен');
    await c.location(kit.inside.lng + 0.0011, kit.inside.lat - 0.0007);
    await c.image();
    expect(payloads(c.last())).toEqual(['confirm', 'restart']);
    const confirm = await c.postback('confirm');
    const n = c.inbox().length;
    expect((await deliver(confirm)).status).toBe(200);
    expect(c.inbox().length).toBe(n);

    const found = await t.pool.query(
      `SELECT i.id, i.number, i.channel, c.code AS category, i.photo_url FROM channel_contacts cc JOIN incidents i ON i.id = cc.incident_id
         JOIN categories c ON c.id = i.category_id WHERE cc.channel = 'facebook' AND cc.user_id = $1`,
      [psid],
    );
    expect(found.rows).toHaveLength(1);
    const a = found.rows[0];
    expect(a).toMatchObject({ channel: 'facebook', category: 'roads.collapse' });
    expect(c.last().text).toBe(`Өтініш тіркелді, нөмірі ${a.number}. Мәртебесін білу: /status ${a.number}`);
    const photo = await t.request(new URL(a.photo_url).pathname);
    expect(Buffer.from(await photo.arrayBuffer())).toEqual(PHOTO_BYTES);
    // A page-scoped id is no phone: the reporter has none.
    const rep = await t.pool.query('SELECT phone, contact FROM incident_reporters WHERE incident_id = $1', [a.id]);
    expect(rep.rows).toEqual([{ phone: null, contact: `facebook:${psid}` }]);
    expect(fake.received.find((r) => r.path === '/v21.0/me/messages')?.headers.authorization).toBe('Bearer EAAP-page-token');
    expect(fake.sentTo(psid).every((b: any) => b.messaging_type === 'RESPONSE')).toBe(true);

    // The result goes out with rating buttons; a press lands in the appeal's feedback.
    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'admin', { to: 'in_progress' });
    await must(a.id, 'admin', { to: 'resolved', note: 'Жол жөнделді' });
    expect(await sendResults(t.pool, createBots(t.config, t.pool).adapters)).toBeGreaterThanOrEqual(1);
    const result = c.last();
    expect(result.text).toContain(a.number);
    const ids = payloads(result);
    expect(ids).toHaveLength(6);
    expect(ids[5]).toMatch(/^dispute:\d+$/);
    expect(result.quick_replies.slice(0, 5).map((q: any) => q.title)).toEqual(['1', '2', '3', '4', '5']);
    await c.quick(ids[4]);
    expect(c.last().text).toBe('5 бағасы үшін рақмет!');
    const fb = await t.pool.query('SELECT rating, disputed, via FROM incident_feedback WHERE incident_id = $1', [a.id]);
    expect(fb.rows).toEqual([{ rating: 5, disputed: false, via: 'link' }]);
  });

  it('sends a typed address back as a map link with yes/no quick replies', async () => {
    const { rows } = await t.pool.query<{ street: string; housenumber: string; lng: number; lat: number }>(
      `SELECT street, housenumber, ST_X(geom) AS lng, ST_Y(geom) AS lat FROM places
        WHERE source = 'demo' AND kind = 'address' AND housenumber ~ '^[0-9]+$' ORDER BY id OFFSET 80 LIMIT 1`,
    );
    const house = rows[0];
    const c = citizen('6100000000000003');
    await c.text('hello');
    await c.quick('lang:ru');
    await c.quick('sph:roads');
    await c.quick('cat:roads.collapse');
    await c.text('Асфальт просел у подъезда');
    const before = c.inbox().length;
    await c.text(`${house.street}, ${house.housenumber}`);
    const [pin, question] = c.inbox().slice(before);
    expect(pin.text).toContain(`mlat=${house.lat}&mlon=${house.lng}`);
    expect(payloads(question)).toEqual(['place:yes', 'place:no']);
  });

  it('ignores echoes, deliveries and reads: nothing is answered or claimed', async () => {
    const psid = '6100000000000004';
    const res = await deliver({
      object: 'page',
      entry: [
        {
          messaging: [
            { sender: { id: psid }, recipient: { id: '1' }, message: { mid: 'm_echo1', is_echo: true, text: 'our own words' } },
            { sender: { id: psid }, recipient: { id: '1' }, delivery: { mids: ['m_x'], watermark: 1 } },
            { sender: { id: psid }, recipient: { id: '1' }, read: { watermark: 1 } },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(fake.sentTo(psid)).toHaveLength(0);
    expect(await count(`SELECT count(*)::int AS n FROM channel_updates WHERE channel = 'facebook' AND user_id = $1`, [psid])).toBe(0);
  });
});
