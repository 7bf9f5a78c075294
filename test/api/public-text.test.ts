import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTally } from '../helpers/probes.ts';
import { testApp } from '../helpers/app.ts';
import { startFakeMessenger } from '../helpers/fake-messenger.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

/**
 * Finding 3: phones, e-mail addresses and IINs typed into free text (by citizens at intake, in
 * Open311 and in the bots, by staff in notes and messenger replies) never reach a public
 * surface; internal notes never reach one at all; staff with personal-data rights still read
 * everything as written.
 */
const fake = await startFakeMessenger();
afterAll(() => fake.close());
const SECRET = 'public-text-webhook-secret-0123456789';
const t = testApp({
  TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-the-fake-bot-api',
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_API_BASE: fake.url,
  JARDEM_PUBLIC_URL: 'http://jardem.test',
});
const { kit, create, must, post } = lifecycleKit(t, 93);

const MARK = `Жардемтекст${Date.now().toString(36)}`;
/** Planted personal data, each as typed and in the digits a careless copy would keep. */
const SECRETS = [
  '+7 701 999 88 77',
  '8(701)9998877',
  '87019998877',
  '7019998877',
  '+7-701-999-88-77',
  '8.701.999.88.77',
  '999 88 77',
  '9998877',
  'aigerim.k@mail.ru',
  'aigerim.k',
  '900101400123',
];
/** Words of internal notes (no personal data in them): they must not be public either. */
const INTERNAL = ['Мастерназначен', 'Бригадавзяла', 'Повторнооткрыто', 'Эскалациявыше'];

const probe = probeTally(
  'public-text.test.ts',
  'phones, e-mails, IINs and internal notes planted through every write path, read on every public surface',
);
afterAll(() => probe.record());

function assertClean(where: string, text: string) {
  probe.tried++;
  if ([...SECRETS, ...INTERNAL].some((s) => text.includes(s))) probe.leaks++;
  for (const s of [...SECRETS, ...INTERNAL]) expect(text.includes(s), `${where} shows "${s}"`).toBe(false);
  const escaped = JSON.stringify(SECRETS).slice(1, -1);
  expect(text.includes(escaped)).toBe(false);
}

let updateSeq = 880_000;
async function tg(userId: number, fields: Record<string, unknown>) {
  const from = { id: userId, is_bot: false, first_name: 'Айгерим', language_code: 'ru' };
  const chat = { id: userId, type: 'private' };
  const update = fields.data
    ? {
        update_id: ++updateSeq,
        callback_query: { id: `cq${updateSeq}`, from, chat_instance: '1', data: fields.data, message: { message_id: 1, chat, date: 0 } },
      }
    : { update_id: ++updateSeq, message: { message_id: updateSeq, from, chat, date: Math.floor(Date.now() / 1000), ...fields } };
  const res = await t.request('/api/channels/telegram/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  expect(res.status).toBe(200);
}

const ids: number[] = [];
const numbers: string[] = [];
let token = '';
let resolvedNumber = '';
let reporterPhone4 = '';

beforeAll(async () => {
  // 1. Intake by a dispatcher: description and address carry a phone, an e-mail and an IIN.
  const a = await create({
    description: `${MARK} открыт люк, звоните +7 701 999 88 77 или aigerim.k@mail.ru, ИИН 900101400123`,
    address: `ул. Абая 5, тел. 8(701)9998877`,
    reporter: { name: 'Айгерим', phone: '+7 702 555 44 33' },
    triage: true,
  });
  reporterPhone4 = '4433';
  // 2. Notes of each move: internal by default (assign, take, reopen, escalate), public for resolve.
  await must(a.id, 'dispatcher', { to: 'assigned', service: kit.executorService, note: 'Мастерназначен, его тел 87019998877' });
  await must(a.id, 'executor', { to: 'in_progress', note: 'Бригадавзяла, ИИН заявителя 900101400123' });
  await must(a.id, 'executor', { to: 'resolved', note: `${MARK} люк закрыт, вопросы: +7-701-999-88-77, aigerim.k@mail.ru` });
  const links = (await t.json(`/api/incidents/${a.id}`, { headers: { cookie: kit.cookie.dispatcher } })).body.feedback_links;
  token = links[0].url.split('/').pop();
  resolvedNumber = a.number;
  ids.push(a.id);
  numbers.push(a.number);

  // Reopened with a note, escalated with a note.
  const b = await create({ description: `${MARK} яма у дома 12`, address: 'ул. Толе би 78', triage: true });
  await must(b.id, 'admin', { to: 'assigned', service: kit.executorService });
  await must(b.id, 'admin', { to: 'in_progress' });
  await must(b.id, 'admin', { to: 'resolved', note: 'Готово' });
  await must(b.id, 'admin', { to: 'reopened', note: 'Повторнооткрыто: заявитель 8.701.999.88.77 звонил' });
  const esc = await post(
    `/api/incidents/${b.id}/escalate`,
    { version: (await t.json(`/api/incidents/${b.id}`)).body.properties.version, note: 'Эскалациявыше, звонить 7019998877' },
    kit.cookie.supervisor,
  );
  expect(esc.status).toBe(200);
  ids.push(b.id);
  numbers.push(b.number);

  // A rejection (public note by default).
  const c = await create({ description: `${MARK} спам` });
  await must(c.id, 'dispatcher', { to: 'rejected', reason: 'spam', note: `${MARK} отклонено, писал с aigerim.k@mail.ru` });
  ids.push(c.id);
  numbers.push(c.number);

  // An information request answered on the call (consult, public note).
  const d = await create({
    type: 'information_request',
    answered: true,
    description: `${MARK} вопрос`,
    answer: `${MARK} ответ дан на 8(701)9998877`,
  });
  ids.push(d.id);
  numbers.push(d.number);

  // Open311 intake.
  const key = await post('/api/admin/api-keys', { name: `public-text ${MARK}` }, kit.cookie.admin);
  expect(key.status).toBe(201);
  const form = new URLSearchParams({
    api_key: key.body.api_key,
    service_code: 'roads.pothole',
    lat: String(kit.inside.lat),
    long: String(kit.inside.lng),
    description: `${MARK} open311 звоните 87019998877`,
    address_string: 'ул. Абая 7, aigerim.k@mail.ru',
  });
  const o = await t.request('/open311/v2/requests.json', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  expect(o.status).toBe(200);
  const created = Number((await o.json())[0].service_request_id);
  ids.push(created);
  numbers.push((await t.pool.query('SELECT number FROM incidents WHERE id = $1', [created])).rows[0].number);

  // A bot appeal whose citizen typed their phone, and the dispatcher's reply through the bot.
  const user = 880_777;
  await tg(user, { text: 'hi' });
  await tg(user, { data: 'lang:ru' });
  await tg(user, { data: 'cat:roads.pothole' });
  await tg(user, { text: `${MARK} бот, мой номер 87019998877` });
  await tg(user, { location: { latitude: kit.inside.lat + 0.001, longitude: kit.inside.lng + 0.001 } });
  await tg(user, { data: 'skip' });
  await tg(user, { data: 'confirm' });
  const bot = (
    await t.pool.query(`SELECT incident_id AS id FROM channel_contacts WHERE channel = 'telegram' AND user_id = $1`, [String(user)])
  ).rows[0];
  expect(bot).toBeDefined();
  const reply = await post(
    `/api/channels/incidents/${bot.id}/reply`,
    { text: `${MARK} Уважаемая Айгерим (тел. +7 701 999 88 77), бригада приедет` },
    kit.cookie.dispatcher,
  );
  expect(reply.status).toBe(200);
  ids.push(Number(bot.id));
  numbers.push((await t.pool.query('SELECT number FROM incidents WHERE id = $1', [bot.id])).rows[0].number);
});

describe('personal data in free text', () => {
  it('never reaches an anonymous reader, an official or a wall display', async () => {
    const cookies = [undefined, kit.cookie.official, kit.cookie.display];
    const paths = [
      `/api/incidents?q=${encodeURIComponent(MARK)}&limit=100`,
      ...ids.map((id) => `/api/incidents/${id}`),
      `/ogc/collections/incidents/items?q=${encodeURIComponent(MARK)}&limit=100`,
      ...ids.flatMap((id) => [`/ogc/collections/incidents/items/${id}`, `/ogc/collections/incidents/items/${id}?f=html`]),
      ...ids.flatMap((id) => [`/open311/v2/requests/${id}.json?extensions=true`, `/open311/v2/requests/${id}.xml`]),
      '/open311/v2/requests.json?page_size=200&extensions=true',
      `/api/public/incidents/${resolvedNumber}?phone4=${reporterPhone4}`,
      `/api/public/incidents/${resolvedNumber}?token=${token}`,
      `/api/feedback/${token}`,
    ];
    let seen = 0;
    for (const path of paths) {
      for (const cookie of cookies) {
        const res = await t.request(path, cookie ? { headers: { cookie } } : undefined);
        if (res.status >= 500) probe.fiveXX++;
        if (res.status === 401 || res.status === 403) continue;
        expect(res.status, path).toBe(200);
        const text = await res.text();
        assertClean(`${path} (${cookie ? 'signed in' : 'anonymous'})`, text);
        if (text.includes(MARK)) seen++;
      }
    }
    // The planted appeals were really read (with their public notes), not answered empty.
    expect(seen).toBeGreaterThan(20);
    const list = await t.json(`/api/incidents?q=${encodeURIComponent(MARK)}&limit=100`);
    expect(list.body.features.length).toBe(ids.length);
    const detail = (await t.json(`/api/incidents/${ids[0]}`)).body;
    expect(detail.properties.description).toContain('звоните […] или […], ИИН […]');
    expect(detail.properties.address).toBe('ул. Абая 5, тел. […]');
    // Public notes are shown redacted; internal ones not at all; no staff logins.
    const notes = detail.events.map((e: { note: string | null }) => e.note).filter(Boolean);
    expect(notes).toEqual([`${MARK} люк закрыт, вопросы: […], […]`]);
    expect(JSON.stringify(detail.events)).not.toContain('actor_login');
    const botDetail = (await t.json(`/api/incidents/${ids.at(-1)}`)).body;
    expect(botDetail.events.map((e: { note: string | null }) => e.note).filter(Boolean)).toEqual([
      `${MARK} Уважаемая Айгерим (тел. […]), бригада приедет`,
    ]);
    const status = (await t.json(`/api/public/incidents/${resolvedNumber}?phone4=${reporterPhone4}`)).body;
    expect(status.resolution_note).toBe(`${MARK} люк закрыт, вопросы: […], […]`);
  });

  it('never reaches exports of roles without personal-data rights', async () => {
    for (const file of ['incidents.csv', 'incidents.geojson']) {
      const res = await t.request(`/api/exports/${file}?q=${encodeURIComponent(MARK)}`, { headers: { cookie: kit.cookie.official } });
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const n of numbers) expect(text).toContain(n);
      assertClean(`${file} as official`, text);
    }
  });

  it('is still read as written by staff with personal-data rights, internal notes included', async () => {
    const detail = (await t.json(`/api/incidents/${ids[0]}`, { headers: { cookie: kit.cookie.dispatcher } })).body;
    expect(detail.properties.description).toContain('+7 701 999 88 77 или aigerim.k@mail.ru, ИИН 900101400123');
    const notes = detail.events.filter((e: { note: string | null }) => e.note);
    expect(notes.map((e: { note: string; visibility: string }) => [e.visibility, e.note])).toEqual([
      ['internal', 'Мастерназначен, его тел 87019998877'],
      ['internal', 'Бригадавзяла, ИИН заявителя 900101400123'],
      ['public', `${MARK} люк закрыт, вопросы: +7-701-999-88-77, aigerim.k@mail.ru`],
    ]);
    const list = await t.json(`/api/incidents?q=${encodeURIComponent(MARK)}&limit=100`, { headers: { cookie: kit.cookie.dispatcher } });
    expect(JSON.stringify(list.body)).toContain('87019998877');
    const csv = await (
      await t.request(`/api/exports/incidents.csv?q=${encodeURIComponent(MARK)}`, { headers: { cookie: kit.cookie.dispatcher } })
    ).text();
    // An export leaves the system: redacted for every role, the dispatcher's too.
    expect(csv).toContain(MARK);
    expect(csv).not.toContain('aigerim.k@mail.ru');
    expect(csv).not.toContain('999 88 77');
  });

  it('lets the author choose: an internal resolution note stays off the public page', async () => {
    const a = await create({ description: `${MARK} выбор`, reporter: { name: 'Б', phone: '+7 705 000 12 34' }, triage: true });
    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'admin', { to: 'in_progress' });
    await must(a.id, 'admin', { to: 'resolved', note: 'Только для своих', note_visibility: 'internal' });
    const pub = await t.json(`/api/public/incidents/${a.number}?phone4=1234`);
    expect(pub.status).toBe(200);
    expect(pub.body.resolution_note).toBeNull();
    expect(JSON.stringify((await t.json(`/api/incidents/${a.id}`)).body)).not.toContain('Только для своих');
    const bad = await must(a.id, 'admin', { to: 'closed' }).catch((e) => e);
    expect(bad).not.toBeInstanceOf(Error);
  });
});
