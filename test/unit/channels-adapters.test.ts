import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TelegramAdapter } from '../../server/channels/telegram.ts';
import { WhatsAppAdapter } from '../../server/channels/whatsapp.ts';
import { AppError } from '../../server/errors.ts';

const tg = new TelegramAdapter({ token: '1:x', secret: 'the-secret-0123456789', apiBase: 'http://127.0.0.1:9' });
const wa = new WhatsAppAdapter({
  token: 't',
  appSecret: 'app-secret-xyz',
  verifyToken: 'verify',
  phoneNumberId: '1',
  apiBase: 'http://127.0.0.1:9/v21.0',
});
const status = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? e.status : 'other';
  }
  return 200;
};

describe('TelegramAdapter', () => {
  const from = { id: 42, first_name: 'Ali', language_code: 'kk' };
  const msg = (fields: object) => ({ update_id: 9, message: { message_id: 1, from, chat: { id: 42 }, ...fields } });

  it('reads texts, locations ([lng, lat]), the largest photo, button presses and unsupported kinds', () => {
    expect(tg.parse(msg({ text: 'hi' }))[0]).toMatchObject({
      updateId: '9',
      userId: '42',
      chatId: '42',
      langHint: 'kk',
      input: { kind: 'text', text: 'hi' },
    });
    expect(tg.parse(msg({ location: { latitude: 42.9, longitude: 71.37 } }))[0].input).toEqual({ kind: 'location', lng: 71.37, lat: 42.9 });
    expect(tg.parse(msg({ photo: [{ file_id: 'a' }, { file_id: 'b' }] }))[0].input).toEqual({ kind: 'photo', fileId: 'b' });
    expect(tg.parse(msg({ sticker: { file_id: 's' } }))[0].input).toEqual({ kind: 'unsupported', what: 'sticker' });
    expect(tg.parse(msg({ voice: { file_id: 'v' } }))[0].input).toEqual({ kind: 'unsupported', what: 'voice' });
    const press = tg.parse({ update_id: 10, callback_query: { id: 'q1', from, data: 'lang:kk', message: { chat: { id: 42 } } } })[0];
    expect(press).toMatchObject({ input: { kind: 'button', id: 'lang:kk' }, ackId: 'q1' });
    // Updates the bot does not read (edits, channel posts) are skipped, not errors.
    expect(tg.parse({ update_id: 11, edited_message: { text: 'x' } })).toEqual([]);
    expect(() => tg.parse({ update_id: 'x' })).toThrow(AppError);
  });

  it('accepts only the exact secret token', () => {
    const h = (v?: string) => ({ headers: new Headers(v === undefined ? {} : { 'x-telegram-bot-api-secret-token': v }), rawBody: '{}' });
    expect(status(() => tg.verify(h()))).toBe(401);
    expect(status(() => tg.verify(h('the-secret-012345678')))).toBe(403);
    expect(status(() => tg.verify(h('the-secret-0123456789')))).toBe(200);
  });
});

describe('WhatsAppAdapter', () => {
  const note = (m: object) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        changes: [
          {
            field: 'messages',
            value: { contacts: [{ wa_id: '7701', profile: { name: 'A' } }], messages: [{ from: '7701', id: 'wamid.1', ...m }] },
          },
        ],
      },
    ],
  });

  it('reads texts, list and button replies, locations, images, and calls the rest unsupported', () => {
    expect(wa.parse(note({ type: 'text', text: { body: 'hi' } }))[0]).toMatchObject({
      updateId: 'wamid.1',
      userId: '7701',
      chatId: '7701',
      name: 'A',
    });
    expect(wa.parse(note({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'sph:roads' } } }))[0].input).toEqual({
      kind: 'button',
      id: 'sph:roads',
    });
    expect(wa.parse(note({ type: 'location', location: { latitude: 1, longitude: 2 } }))[0].input).toEqual({
      kind: 'location',
      lng: 2,
      lat: 1,
    });
    expect(wa.parse(note({ type: 'image', image: { id: 'm1' } }))[0].input).toEqual({ kind: 'photo', fileId: 'm1' });
    expect(wa.parse(note({ type: 'sticker', sticker: {} }))[0].input).toEqual({ kind: 'unsupported', what: 'sticker' });
    // Delivery statuses carry no messages.
    expect(
      wa.parse({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { statuses: [{}] } }] }] }),
    ).toEqual([]);
  });

  it('checks the signature over the raw bytes and the handshake token', () => {
    const raw = '{"a": 1}';
    const sig = `sha256=${createHmac('sha256', 'app-secret-xyz').update(raw).digest('hex')}`;
    expect(status(() => wa.verify({ headers: new Headers({ 'x-hub-signature-256': sig }), rawBody: raw }))).toBe(200);
    expect(status(() => wa.verify({ headers: new Headers({ 'x-hub-signature-256': sig }), rawBody: '{"a":1}' }))).toBe(403);
    expect(status(() => wa.verify({ headers: new Headers(), rawBody: raw }))).toBe(401);
    expect(wa.challenge('subscribe', 'verify', '123')).toBe('123');
    expect(wa.challenge('subscribe', 'wrong', '123')).toBeNull();
    expect(wa.challenge('unsubscribe', 'verify', '123')).toBeNull();
  });
});
