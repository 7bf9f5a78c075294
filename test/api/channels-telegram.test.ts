import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { closeStaleConversations, sendResults } from '../../server/channels/notify.ts';
import { createBots } from '../../server/channels/bots.ts';
import { createPool } from '../../server/db/pool.ts';
import { testApp } from '../helpers/app.ts';
import { PHOTO_BYTES, startFakeMessenger } from '../helpers/fake-messenger.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const fake = await startFakeMessenger();
afterAll(() => fake.close());
const SECRET = 'test-webhook-secret-0123456789';
const env = {
  TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-the-fake-bot-api',
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_API_BASE: fake.url,
  JARDEM_PUBLIC_URL: 'http://jardem.test',
};
const t = testApp(env);
const { kit, must, inStatus, count } = lifecycleKit(t, 10);

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
let updateSeq = 500_000;

/** Posts one Bot API Update to the webhook, as Telegram does. */
async function deliver(app: App, update: Record<string, unknown>, secret: string | null = SECRET) {
  return app.request('/api/channels/telegram/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body: JSON.stringify(update),
  });
}

/** A citizen: builds recorded-shaped updates for one Telegram user. */
function citizen(id: number, app: App = t.app) {
  const from = { id, is_bot: false, first_name: 'Айгерим', language_code: 'ru' };
  const chat = { id, type: 'private', first_name: 'Айгерим' };
  let messageId = 1;
  const message = (fields: Record<string, unknown>) => ({
    update_id: ++updateSeq,
    message: { message_id: messageId++, from, chat, date: Math.floor(Date.now() / 1000), ...fields },
  });
  const press = (data: string) => ({
    update_id: ++updateSeq,
    callback_query: { id: `cq${updateSeq}`, from, chat_instance: '42', data, message: { message_id: messageId, chat, date: 0, text: '…' } },
  });
  const send = async (u: Record<string, unknown>, via: App = app) => {
    const res = await deliver(via, u);
    expect(res.status).toBe(200);
    return u;
  };
  return {
    id,
    text: (text: string, via?: App) => send(message({ text }), via),
    press: (data: string, via?: App) => send(press(data), via),
    location: (lng: number, lat: number, via?: App) => send(message({ location: { latitude: lat, longitude: lng } }), via),
    photo: () =>
      send(
        message({
          photo: [
            { file_id: 'small', file_unique_id: 's', width: 90, height: 90 },
            { file_id: 'big-photo', file_unique_id: 'b', width: 800, height: 600 },
          ],
        }),
      ),
    sticker: () => send(message({ sticker: { file_id: 'stk', emoji: '😀' } })),
    voice: () => send(message({ voice: { file_id: 'voice', duration: 3 } })),
    raw: send,
    /** The messages the bot sent to this user. */
    inbox: () => fake.sentTo(id),
    last: () => fake.sentTo(id).at(-1),
  };
}

const buttonsOf = (m: any): string[] => (m?.reply_markup?.inline_keyboard ?? []).flat().map((b: any) => b.callback_data);
const incidentsOf = (userId: number) =>
  t.pool.query(
    `SELECT i.id, i.number, i.channel, c.code AS category, i.description, i.address, i.photo_url, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat, i.status
       FROM channel_contacts cc JOIN incidents i ON i.id = cc.incident_id JOIN categories c ON c.id = i.category_id
      WHERE cc.channel = 'telegram' AND cc.user_id = $1 ORDER BY i.id`,
    [String(userId)],
  );

// Whole conversations over HTTP: generous on a loaded machine.
describe('the Telegram webhook', { timeout: 90_000 }, () => {
  it('rejects calls without the secret token (401) or with a wrong one (403), and bad bodies (400)', async () => {
    const u = { update_id: 1, message: { message_id: 1, from: { id: 5 }, chat: { id: 5 }, text: 'hi' } };
    const none = await deliver(t.app, u, null);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthorized');
    const wrong = await deliver(t.app, u, 'not-the-secret');
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('forbidden');
    expect(await count(`SELECT count(*)::int AS n FROM channel_updates WHERE update_id = '1'`)).toBe(0);
    const notJson = await t.request('/api/channels/telegram/webhook', {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': SECRET, 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    const notUpdate = await deliver(t.app, { hello: 'world' });
    expect(notUpdate.status).toBe(400);
    expect((await notUpdate.json()).error).toMatchObject({ code: 'bad_request' });
  });

  it('files one appeal from a whole conversation, with category, place, photo and channel', async () => {
    const c = citizen(770_001);
    await c.text('Здравствуйте');
    expect(buttonsOf(c.last())).toEqual(['lang:kk', 'lang:ru', 'lang:en']);
    await c.press('lang:ru');
    const spheres = buttonsOf(c.last());
    expect(spheres).toHaveLength(9);
    expect(spheres.at(-1)).toBe('page:1');
    // A search by text offers matching categories as buttons.
    await c.text('яма');
    expect(c.last().text).toContain('яма');
    expect(buttonsOf(c.last())).toContain('cat:roads.pothole');
    await c.press('cat:roads.pothole');
    expect(c.last().text).toMatch(/Опишите/);
    await c.text('Глубокая яма у остановки, машины объезжают по встречке');
    expect(c.last().text).toMatch(/геопозицию/);
    const [lng, lat] = [kit.inside.lng + 0.0011, kit.inside.lat - 0.0007];
    await c.location(lng, lat);
    expect(buttonsOf(c.last())).toEqual(['skip']);
    await c.photo();
    const summary = c.last();
    expect(summary.text).toContain('Яма на дороге');
    expect(summary.text).toContain('Глубокая яма у остановки');
    expect(buttonsOf(summary)).toEqual(['confirm', 'restart']);
    expect(await incidentsOf(c.id).then((r) => r.rowCount)).toBe(0);

    const confirm = await c.press('confirm');
    const rows = (await incidentsOf(c.id)).rows;
    expect(rows).toHaveLength(1);
    const a = rows[0];
    expect(a).toMatchObject({ channel: 'telegram', category: 'roads.pothole', status: 'new', address: null });
    expect(a.description).toBe('Глубокая яма у остановки, машины объезжают по встречке');
    expect(a.lng).toBeCloseTo(lng, 9);
    expect(a.lat).toBeCloseTo(lat, 9);
    expect(c.last().text).toContain(a.number);
    // The photo was fetched through getFile and is served from Jardem.
    expect(a.photo_url).toMatch(/^http:\/\/jardem\.test\/api\/channels\/photos\/[A-Za-z0-9_-]{22,}$/);
    const photo = await t.request(new URL(a.photo_url).pathname);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await photo.arrayBuffer())).toEqual(PHOTO_BYTES);
    expect(fake.received.some((r) => r.path.endsWith('/getFile') && r.body.file_id === 'big-photo')).toBe(true);
    // Button presses are acknowledged.
    expect(fake.received.some((r) => r.path.endsWith('/answerCallbackQuery'))).toBe(true);
    // The reporter is the messenger user, kept apart as personal data.
    const rep = await t.pool.query('SELECT name, phone, contact FROM incident_reporters WHERE incident_id = $1', [a.id]);
    expect(rep.rows).toEqual([{ name: 'Айгерим', phone: null, contact: 'telegram:770001' }]);

    // The same update delivered again, and a second press of "confirm": still one appeal.
    const before = c.inbox().length;
    await c.raw(confirm);
    expect(c.inbox().length).toBe(before);
    await c.press('confirm');
    expect(c.last().text).toContain(`уже отправлено, его номер ${a.number}`);
    expect((await incidentsOf(c.id)).rowCount).toBe(1);

    // /status answers the current status in the user's language.
    await c.text(`/status ${a.number}`);
    expect(c.last().text).toBe(`Обращение ${a.number}: зарегистрировано.`);
    await c.text('/status 109-1999-999999');
    expect(c.last().text).toContain('не найдено');
    // Another chat cannot read this appeal's status: it answers as for an unknown number.
    const stranger = citizen(770_091);
    await stranger.text('Здравствуйте');
    await stranger.press('lang:ru');
    await stranger.text(`/status ${a.number}`);
    expect(stranger.last().text).toBe(`Обращение с номером ${a.number} не найдено. Проверьте номер.`);

    // A number alone opens no status page (the chat has no phone, and no link before the result).
    expect((await t.request(`/api/public/incidents/${a.number}`)).status).toBe(400);
    // The messenger id never reaches public answers, open data or exports (which do carry the appeal).
    for (const path of [
      `/api/incidents/${a.id}`,
      '/api/incidents?channel=telegram&limit=500',
      '/open311/v2/requests.json?page_size=200&extensions=true',
      `/ogc/collections/incidents/items?f=json&limit=1000&bbox=${lng - 0.001},${lat - 0.001},${lng + 0.001},${lat + 0.001}`,
      '/api/exports/incidents.csv?channel=telegram',
      '/api/exports/incidents.geojson?channel=telegram',
    ]) {
      const res = await t.request(path, { headers: { cookie: kit.cookie.official } });
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body, path).not.toContain('770001');
      if (!path.startsWith('/open311')) expect(body, path).toContain(a.number);
    }
  });

  it('resumes a conversation on a new app instance on the same database (a restart)', async () => {
    const c = citizen(770_002);
    await c.text('Сәлем');
    await c.press('lang:kk');
    await c.press('sph:roads');
    expect(buttonsOf(c.last())).toContain('cat:roads.pothole');
    await c.press('cat:roads.traffic_lights');
    expect(c.last().text).toMatch(/сипаттаңыз/);

    // The first instance is gone; a new one with its own pool on the same database continues.
    const pool = createPool(inject('databaseUrl'), 2);
    try {
      const second = createApp({ pool, engine: t.engine, config: t.config });
      await c.text('Бағдаршам екі күннен бері істемейді', second);
      expect(c.last().text).toMatch(/Геолокацияны|мекенжайды/);
      await c.text('Төле би көшесі, 12 / Абай даңғылы қиылысы', second);
      // The geocoder reads a crossing of the demo streets and asks; the citizen says it is not there.
      expect(buttonsOf(c.last())).toEqual(['place:yes', 'place:no']);
      expect(c.inbox().at(-2).latitude).toBeTypeOf('number');
      await c.press('place:no', second);
      expect(c.inbox().at(-2).text).toMatch(/диспетчер орнын нақтылайды/);
      await c.press('skip', second);
      await c.press('confirm', second);
    } finally {
      await pool.end();
    }
    const rows = (await incidentsOf(c.id)).rows;
    expect(rows).toHaveLength(1);
    // A refused address is kept exactly as given; the point is inside the city until a dispatcher moves it.
    expect(rows[0]).toMatchObject({
      category: 'roads.traffic_lights',
      address: 'Төле би көшесі, 12 / Абай даңғылы қиылысы',
      photo_url: null,
    });
    expect(c.last().text).toContain(rows[0].number);
    expect(c.last().text).toMatch(/Өтініш тіркелді/);
  });

  it('sends a typed address back as a location pin and, once confirmed, places the appeal at that point', async () => {
    // A house of the demo gazetteer (source 'demo', loaded at boot), typed in lower case without a comma.
    const { rows } = await t.pool.query<{ street: string; housenumber: string; lng: number; lat: number }>(
      `SELECT street, housenumber, ST_X(geom) AS lng, ST_Y(geom) AS lat FROM places
        WHERE source = 'demo' AND kind = 'address' AND housenumber ~ '^[0-9]+$' ORDER BY id OFFSET 40 LIMIT 1`,
    );
    const house = rows[0];
    const c = citizen(770_010);
    await c.text('hi');
    await c.press('lang:ru');
    await c.press('cat:roads.pothole');
    await c.text('Яма прямо у подъезда, глубокая');
    const before = c.inbox().length;
    await c.text(`${house.street.toLowerCase()} ${house.housenumber}`);
    const [pin, question] = c.inbox().slice(before);
    expect(pin.text).toBeUndefined();
    expect(pin.latitude).toBeCloseTo(house.lat, 6);
    expect(pin.longitude).toBeCloseTo(house.lng, 6);
    expect(question.text).toContain(`${house.street}, ${house.housenumber}`);
    expect(buttonsOf(question)).toEqual(['place:yes', 'place:no']);
    expect(fake.received.some((r) => r.path.endsWith('/sendLocation') && String(r.body.chat_id) === '770010')).toBe(true);

    await c.press('place:yes');
    expect(buttonsOf(c.last())).toEqual(['skip']);
    await c.press('skip');
    expect(c.last().text).toContain(`Место: ${house.street}, ${house.housenumber}\n`);
    await c.press('confirm');
    const [a] = (await incidentsOf(c.id)).rows;
    expect(a.address).toBe(`${house.street}, ${house.housenumber}`);
    expect(a.lng).toBeCloseTo(house.lng, 6);
    expect(a.lat).toBeCloseTo(house.lat, 6);
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND data ? 'place_check'`, [a.id])).toBe(0);
  });

  it('files an address the geocoder cannot place as typed, marked "place to check" for the dispatcher', async () => {
    const c = citizen(770_011);
    await c.text('hi');
    await c.press('lang:ru');
    await c.press('cat:roads.pothole');
    await c.text('Яма прямо у подъезда, глубокая');
    const before = c.inbox().length;
    await c.text('во дворе за старой пекарней');
    const answers = c.inbox().slice(before);
    expect(answers.some((m) => m.latitude !== undefined)).toBe(false);
    expect(answers[0].text).toMatch(/Не удалось найти этот адрес на карте/);
    expect(buttonsOf(answers[1])).toEqual(['skip']);
    await c.press('skip');
    expect(c.last().text).toContain('Место: во дворе за старой пекарней (место уточнит диспетчер)');
    await c.press('confirm');
    const [a] = (await incidentsOf(c.id)).rows;
    expect(a.address).toBe('во дворе за старой пекарней');
    // The point stays where typed-only addresses always went: inside the city, for a dispatcher to move.
    const inner = await t.pool.query<{ lng: number; lat: number }>(
      'SELECT ST_X(p) AS lng, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM districts ORDER BY id LIMIT 1) t',
    );
    expect(a.lng).toBeCloseTo(inner.rows[0].lng, 9);
    expect(a.lat).toBeCloseTo(inner.rows[0].lat, 9);
    // The mark the appeal panel shows: an internal note with the address as typed.
    const detail = await t.json<{
      events: { action: string; note: string | null; visibility: string; data: Record<string, unknown> | null }[];
    }>(`/api/incidents/${a.id}`, { headers: { cookie: kit.cookie.dispatcher } });
    const mark = detail.body.events.filter((e) => e.data?.place_check === true);
    expect(mark).toEqual([expect.objectContaining({ action: 'commented', note: 'во дворе за старой пекарней', visibility: 'internal' })]);
    // Without personal-data rights the mark stays, the typed words do not.
    const anon = await t.json<{ events: { note: string | null; data: Record<string, unknown> | null }[] }>(`/api/incidents/${a.id}`);
    expect(anon.body.events.find((e) => e.data?.place_check === true)?.note).toBeNull();
  });

  it('answers points outside the city, stickers, voice, stale buttons and junk politely, in the user language', async () => {
    const c = citizen(770_003);
    await c.sticker();
    expect(c.last().text).toMatch(/только текст/);
    await c.text('/start');
    await c.press('lang:en');
    await c.press('sph:manholes');
    await c.press('cat:nonexistent.code');
    expect(c.inbox().at(-2).text).toMatch(/earlier step/);
    expect(c.last().text).toBe('Choose a category:');
    await c.text('zzzzqqqq');
    expect(c.last().text).toContain('Nothing found for "zzzzqqqq"');
    await c.text('manhole');
    const hit = buttonsOf(c.last()).find((b) => b.startsWith('cat:manholes'))!;
    expect(hit).toBeDefined();
    await c.press(hit);
    await c.text('ok');
    expect(c.last().text).toMatch(/more detail/);
    await c.text('Open manhole without a cover next to the school gate');
    await c.location(0.5, 0.5);
    expect(c.last().text).toMatch(/outside the city/);
    await c.voice();
    expect(c.inbox().at(-2).text).toMatch(/cannot read voice/);
    await c.press('lang:kk');
    expect(c.inbox().at(-2).text).toMatch(/earlier step/);
    expect(c.last().text).toMatch(/Where is it/);
    await c.location(kit.inside.lng, kit.inside.lat + 0.001);
    await c.text('no photo, thanks');
    await c.press('confirm');
    expect((await incidentsOf(c.id)).rowCount).toBe(1);
    expect(c.last().text).toMatch(/^Your appeal is registered, number 109-/);
  });

  it('throttles a flood from one user with one polite word', async () => {
    const c = citizen(770_004);
    for (let i = 0; i < 36; i++) await c.text(`spam ${i}`);
    const inbox = c.inbox();
    expect(inbox.filter((m) => /Слишком много сообщений/.test(m.text))).toHaveLength(1);
    // Past the limit the bot stays silent: at most one answer per update up to it, plus the warning.
    expect(inbox.length).toBeLessThanOrEqual(31);
  });

  it('closes a conversation left for a day politely', async () => {
    const c = citizen(770_005);
    await c.text('hi');
    await c.press('lang:ru');
    await t.pool.query(
      `UPDATE channel_conversations SET updated_at = now() - interval '25 hours' WHERE channel = 'telegram' AND user_id = $1`,
      ['770005'],
    );
    await c.press('sph:roads');
    const inbox = c.inbox();
    expect(inbox.at(-2).text).toMatch(/прошли сутки/);
    expect(inbox.at(-1).text).toMatch(/Новое обращение/);

    // The sweep closes one nobody came back to, once.
    await c.press('new');
    await t.pool.query(
      `UPDATE channel_conversations SET updated_at = now() - interval '25 hours' WHERE channel = 'telegram' AND user_id = $1`,
      ['770005'],
    );
    const { adapters } = createBots(t.config, t.pool);
    expect(await closeStaleConversations(t.pool, adapters)).toBeGreaterThanOrEqual(1);
    expect(c.last().text).toMatch(/прошли сутки/);
    const state = await t.pool.query(`SELECT state FROM channel_conversations WHERE channel = 'telegram' AND user_id = $1`, ['770005']);
    expect(state.rows[0].state).toEqual({ step: 'idle', lang: 'ru' });
    const n = c.inbox().length;
    await closeStaleConversations(t.pool, adapters);
    expect(c.inbox().length).toBe(n);
  });
});

// Whole conversations over HTTP: generous on a loaded machine.
describe('the result and the rating through Telegram', { timeout: 90_000 }, () => {
  let bots: ReturnType<typeof createBots>;
  beforeAll(() => {
    bots = createBots(t.config, t.pool);
  });

  async function fileAppeal(c: ReturnType<typeof citizen>) {
    await c.text('hello');
    await c.press('lang:ru');
    await c.press('cat:roads.pothole');
    await c.text('Яма во дворе, глубокая, опасно');
    await c.location(kit.inside.lng - 0.0012, kit.inside.lat + 0.0004);
    await c.press('skip');
    await c.press('confirm');
    return (await incidentsOf(c.id)).rows[0];
  }

  it('sends the result with rating buttons once; a press lands in the appeal feedback', async () => {
    const c = citizen(770_006);
    const a = await fileAppeal(c);
    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'admin', { to: 'in_progress' });
    expect(await sendResults(t.pool, bots.adapters)).toBe(0);
    await must(a.id, 'admin', { to: 'resolved', note: 'Яма заделана асфальтом' });
    const sent = await sendResults(t.pool, bots.adapters);
    expect(sent).toBeGreaterThanOrEqual(1);
    const result = c.last();
    expect(result.text).toContain(a.number);
    expect(result.text).toContain('Яма заделана асфальтом');
    const buttons = buttonsOf(result);
    expect(buttons).toHaveLength(6);
    expect(buttons.slice(0, 5).map((b) => b.split(':').pop())).toEqual(['1', '2', '3', '4', '5']);
    expect(buttons[5]).toMatch(/^dispute:\d+$/);
    // The five ratings share one row.
    expect(result.reply_markup.inline_keyboard[0]).toHaveLength(5);
    // Not twice.
    const n = c.inbox().length;
    await sendResults(t.pool, bots.adapters);
    expect(c.inbox().length).toBe(n);

    // Another user cannot use this citizen's buttons.
    const other = citizen(770_007);
    await other.press(buttons[0]);
    expect(other.last().text).toMatch(/уже нельзя/);
    expect(await count('SELECT count(*)::int AS n FROM incident_feedback WHERE incident_id = $1', [a.id])).toBe(0);

    await c.press(buttons[3]);
    expect(c.last().text).toBe('Спасибо за оценку 4!');
    const fb = await t.pool.query('SELECT rating, disputed, via FROM incident_feedback WHERE incident_id = $1', [a.id]);
    expect(fb.rows).toEqual([{ rating: 4, disputed: false, via: 'link' }]);
    expect((await t.pool.query('SELECT rating FROM incidents WHERE id = $1', [a.id])).rows[0].rating).toBe(4);
    // A repeated press is answered, not counted.
    await c.press(buttons[4]);
    expect(c.last().text).toMatch(/уже нельзя/);
    expect(await count('SELECT count(*)::int AS n FROM incident_feedback WHERE incident_id = $1', [a.id])).toBe(1);
  });

  it('retries a result the messenger did not take', async () => {
    const c = citizen(770_008);
    const a = await fileAppeal(c);
    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'admin', { to: 'in_progress' });
    await must(a.id, 'admin', { to: 'resolved', note: 'Сделано' });
    fake.failSends(1);
    const before = c.inbox().length;
    await sendResults(t.pool, bots.adapters);
    await sendResults(t.pool, bots.adapters);
    const results = c
      .inbox()
      .slice(before)
      .filter((m) => m.text.includes(a.number));
    // The first attempt was refused (recorded by the fake), the second delivered.
    expect(results).toHaveLength(2);
    expect(
      await count(
        'SELECT count(*)::int AS n FROM channel_notifications n JOIN incident_feedback_tokens t ON t.id = n.token_id WHERE t.incident_id = $1',
        [a.id],
      ),
    ).toBe(1);
  });
});

// Whole conversations over HTTP: generous on a loaded machine.
describe('POST /api/channels/incidents/:id/reply', { timeout: 90_000 }, () => {
  it('answers the citizen through the same messenger and records it in the events', async () => {
    const c = citizen(770_009);
    await c.text('hi');
    await c.press('lang:kk');
    await c.press('cat:roads.pothole');
    await c.text('Аулада үлкен шұңқыр пайда болды');
    await c.location(kit.inside.lng + 0.0005, kit.inside.lat + 0.0012);
    await c.press('skip');
    await c.press('confirm');
    const a = (await incidentsOf(c.id)).rows[0];
    const post = (id: number, body: unknown, cookie?: string) =>
      t.json(`/api/channels/incidents/${id}/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post(a.id, { text: 'Сәлем' })).status).toBe(401);
    expect((await post(a.id, { text: 'Сәлем' }, kit.cookie.official)).status).toBe(403);
    const empty = await post(a.id, { text: '  ' }, kit.cookie.dispatcher);
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].path).toBe('text');
    expect((await post(999_999_999, { text: 'x' }, kit.cookie.dispatcher)).status).toBe(404);
    const phoneAppeal = await inStatus('new');
    const noChat = await post(phoneAppeal.id, { text: 'x' }, kit.cookie.dispatcher);
    expect(noChat.status).toBe(409);

    const ok = await post(a.id, { text: 'Бригада ертең келеді' }, kit.cookie.dispatcher);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ sent: 1, channels: ['telegram'] });
    expect(c.last().text).toBe(`109 орталығының ${a.number} өтініш бойынша жауабы:\nБригада ертең келеді`);
    const ev = await t.pool.query(
      `SELECT action, note, data, actor_id FROM incident_events WHERE incident_id = $1 AND action = 'commented'`,
      [a.id],
    );
    expect(ev.rows).toHaveLength(1);
    expect(ev.rows[0]).toMatchObject({ note: 'Бригада ертең келеді', data: { reply: true, channels: ['telegram'] } });
    expect(ev.rows[0].actor_id).not.toBeNull();

    fake.failSends(1);
    const refused = await post(a.id, { text: 'Тағы бір жауап' }, kit.cookie.dispatcher);
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('channel_unavailable');
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND action = 'commented'`, [a.id])).toBe(1);
  });
});
