/**
 * Bots answer from the outage register (issue 18, item 3): a citizen who reports no heating from
 * a place inside an active heating outage is told its notice and expected end at once, and the
 * appeal is closed as consulted, linked to the outage and counted. Outside it, the appeal is new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { startFakeMessenger } from '../helpers/fake-messenger.ts';

const fake = await startFakeMessenger();
afterAll(() => fake.close());
const SECRET = 'test-webhook-secret-outages-0123456789';
const t = testApp({
  TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-the-fake-bot-api',
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_API_BASE: fake.url,
  JARDEM_PUBLIC_URL: 'http://jardem.test',
});
let seq = 900_000;
let place: [number, number] = [0, 0];
let outageId = 0;

/** One Telegram user going through the bot's questions to a filed appeal at `at`. */
async function reportNoHeating(userId: number, at: [number, number]) {
  const from = { id: userId, is_bot: false, first_name: 'Асель', language_code: 'ru' };
  const chat = { id: userId, type: 'private', first_name: 'Асель' };
  const send = async (u: Record<string, unknown>) => {
    const res = await t.app.request('/api/channels/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({ update_id: ++seq, ...u }),
    });
    expect(res.status).toBe(200);
  };
  const message = (fields: Record<string, unknown>) =>
    send({ message: { message_id: seq, from, chat, date: Math.floor(Date.now() / 1000), ...fields } });
  const press = (data: string) =>
    send({ callback_query: { id: `cq${seq}`, from, chat_instance: '7', data, message: { message_id: seq, chat, date: 0, text: '…' } } });
  await message({ text: 'Здравствуйте' });
  await press('lang:ru');
  await press('cat:heating.no_heating');
  await message({ text: 'В доме нет отопления с утра, батареи холодные' });
  await message({ location: { latitude: at[1], longitude: at[0] } });
  await press('skip');
  await press('confirm');
  const { rows } = await t.pool.query(
    `SELECT i.id, i.number, i.status, i.resolution, oc.outage_id
       FROM channel_contacts cc JOIN incidents i ON i.id = cc.incident_id LEFT JOIN outage_calls oc ON oc.incident_id = i.id
      WHERE cc.channel = 'telegram' AND cc.user_id = $1`,
    [String(userId)],
  );
  return { appeal: rows[0], last: fake.sentTo(userId).at(-1) };
}

beforeAll(async () => {
  const { rows } = await t.pool.query<{ lng: number; lat: number; service: number }>(
    `SELECT ST_X(p) AS lng, ST_Y(p) AS lat, route_service((SELECT id FROM categories WHERE code = 'heating.no_heating'), d.id) AS service
       FROM (SELECT id, ST_PointOnSurface(geom) AS p FROM districts ORDER BY code DESC LIMIT 1) d`,
  );
  place = [rows[0].lng, rows[0].lat];
  const [x, y] = place;
  const o = await t.pool.query<{ id: string }>(
    `INSERT INTO outages (kind, geom, starts_at, expected_end_at, notice_ru, notice_kk)
     VALUES ('emergency', ST_Multi(ST_MakeEnvelope($1 - 0.002, $2 - 0.002, $1 + 0.002, $2 + 0.002, 4326)),
             now() - interval '1 hour', now() + interval '3 hours', 'Авария на теплотрассе, бригада на месте.', 'Жылу трассасында апат.')
     RETURNING id`,
    [x, y],
  );
  outageId = Number(o.rows[0].id);
  await t.pool.query('INSERT INTO outage_services (outage_id, service_id) VALUES ($1, $2)', [outageId, rows[0].service]);
});

afterAll(async () => {
  await t.pool.query(
    `DELETE FROM incidents WHERE id IN (SELECT incident_id FROM channel_contacts WHERE channel = 'telegram' AND user_id IN ('880001', '880002'))`,
  );
  await t.pool.query('DELETE FROM outages WHERE id = $1', [outageId]);
});

describe('bots and outages', () => {
  it('tells a citizen inside an active outage its notice and expected end, and links the appeal', async () => {
    const { appeal, last } = await reportNoHeating(880_001, [place[0] + 0.0005, place[1] - 0.0003]);
    expect(appeal).toMatchObject({ status: 'closed', resolution: 'consulted' });
    expect(Number(appeal.outage_id)).toBe(outageId);
    expect(last.text).toContain('Авария на теплотрассе, бригада на месте.');
    expect(last.text).toContain(appeal.number);
    expect(last.text).toMatch(/восстановление: (\d\d\.\d\d )?\d\d:\d\d/);
    const { rows } = await t.pool.query('SELECT call_count FROM outages WHERE id = $1', [outageId]);
    expect(rows[0].call_count).toBe(1);
  });

  it('files a new appeal as usual outside the outage', async () => {
    const { appeal, last } = await reportNoHeating(880_002, [place[0] + 0.01, place[1]]);
    expect(appeal).toMatchObject({ status: expect.not.stringMatching(/^closed$/), outage_id: null });
    expect(last.text).not.toContain('Авария');
  });
});
