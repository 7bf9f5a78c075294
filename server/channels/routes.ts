import { scrubJson } from '../input-checks.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { IdParam } from '../incidents/routes.ts';
import { assertScope, loadState } from '../lifecycle/transitions.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import type { ChannelName } from './adapter.ts';
import type { Bot } from './bot.ts';
import type { Bots } from './bots.ts';
import { say } from './messages.ts';
import { describeRoute } from '../openapi/registry.ts';
import { replySentSchema, type ReplySent } from '../contract/channels.ts';
import { okSchema } from '../contract/platform.ts';
import { defaultVisibility, NOTE_VISIBILITIES } from '../privacy/visibility.ts';
import { contactsOf, loadPhoto, recordReply } from './store.ts';
import { hasHandshake } from './meta-webhook.ts';

export const ReplySchema = z.object({
  text: z.string().trim().min(1).max(2000),
  /** Whether the reply also shows on the appeal's public page (redacted); it is sent to the chat either way. */
  visibility: z.enum(NOTE_VISIBILITIES).optional(),
});
const PhotoParam = z.object({ key: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'not a photo key') });
const HandshakeQuery = z.object({
  'hub.mode': z.string().max(50).optional(),
  'hub.verify_token': z.string().max(500).optional(),
  'hub.challenge': z.string().max(500).optional(),
});

const notConfigured = (name: string) => new AppError(404, 'not_found', `The ${name} bot is not configured on this server.`);

/** Reads, authenticates and handles one webhook call. */
async function webhook(bot: Bot | undefined, name: string, req: Request): Promise<Response> {
  if (!bot) throw notConfigured(name);
  const rawBody = await req.text();
  // Authenticity first: an unsigned request learns nothing, not even whether its body parses.
  bot.adapter.verify({ headers: req.headers, rawBody });
  let body: unknown;
  try {
    // A citizen's NUL or broken surrogate is dropped, not refused: a refused update is redelivered.
    body = scrubJson(JSON.parse(rawBody));
  } catch {
    throw badRequest('The webhook body is not JSON.');
  }
  await bot.handleAll(bot.adapter.parse(body));
  return Response.json({ ok: true });
}

/** Meta's GET verification handshake (WhatsApp, Messenger): the challenge, or 403. */
function handshake(bot: Bot | undefined, name: string, q: z.infer<typeof HandshakeQuery>): string {
  const adapter = bot?.adapter;
  if (!hasHandshake(adapter)) throw notConfigured(name);
  const challenge = adapter.challenge(q['hub.mode'], q['hub.verify_token'], q['hub.challenge']);
  if (challenge === null) throw new AppError(403, 'forbidden', 'The verify token does not match.');
  return challenge;
}

/**
 * Messenger intake: the Telegram, WhatsApp and Messenger webhooks, the centre's replies to an appeal's
 * chat, and the photos citizens sent.
 */
export function channelRoutes({ pool }: Deps, bots: Bots) {
  return new Hono<AppEnv>()
    .post('/telegram/webhook', (c) => webhook(bots.telegram, 'Telegram', c.req.raw))
    .get('/whatsapp/webhook', validQuery(HandshakeQuery), (c) => c.text(handshake(bots.whatsapp, 'WhatsApp', c.req.valid('query'))))
    .post('/whatsapp/webhook', (c) => webhook(bots.whatsapp, 'WhatsApp', c.req.raw))
    .get('/facebook/webhook', validQuery(HandshakeQuery), (c) => c.text(handshake(bots.facebook, 'Messenger', c.req.valid('query'))))
    .post('/facebook/webhook', (c) => webhook(bots.facebook, 'Messenger', c.req.raw))
    .post('/incidents/:id/reply', validParam(IdParam), validJson(ReplySchema), async (c) => {
      const { id } = c.req.valid('param');
      const user = c.get('user')!;
      const row = await loadState(pool, id);
      if (!row) throw notFound('Incident');
      assertScope(user, row);
      const contacts = await contactsOf(pool, id);
      if (!contacts.length) throw conflict(`Appeal ${row.number} did not come from a messenger: there is no chat to answer.`);
      const { text, visibility } = c.req.valid('json');
      const sent: ChannelName[] = [];
      for (const to of contacts) {
        const adapter = bots.adapters.get(to.channel);
        if (!adapter) continue;
        try {
          await adapter.send(to.chat_id, { text: say(to.lang, 'reply', { number: row.number, text }) });
          sent.push(to.channel);
        } catch {
          // counted below
        }
      }
      if (!sent.length) {
        throw new AppError(502, 'channel_unavailable', 'The messenger did not take the reply; nothing was sent. Try again later.');
      }
      // The reply is part of the appeal's history; the chat ids are not.
      await recordReply(pool, id, user.id, text, [...new Set(sent)], visibility ?? defaultVisibility('reply'));
      return c.json({ sent: sent.length, channels: [...new Set(sent)] } satisfies ReplySent);
    })
    .get('/photos/:key', validParam(PhotoParam), async (c) => {
      const photo = await loadPhoto(pool, c.req.valid('param').key);
      if (!photo) throw notFound('Photo');
      return c.body(new Uint8Array(photo.bytes), 200, {
        'content-type': photo.content_type,
        'cache-control': 'public, max-age=86400, immutable',
        'x-content-type-options': 'nosniff',
      });
    });
}

// The API description of these routes (see server/openapi/api-routes.ts).
const webhookResponses = {
  '200': {
    description: '`{"ok":true}` once the updates are handled (a redelivered update is answered once and ignored)',
    schema: okSchema,
  },
  '401': 'The authenticating header is missing',
  '403': 'The secret or signature does not match',
  '404': 'This bot is not configured',
};
describeRoute('POST', '/api/channels/telegram/webhook', {
  summary: 'Telegram Bot API webhook',
  tag: 'channels',
  description:
    'Called by Telegram with an Update. Requires `X-Telegram-Bot-Api-Secret-Token` equal to TELEGRAM_WEBHOOK_SECRET (the `secret_token` given to setWebhook).',
  responses: webhookResponses,
});
describeRoute('GET', '/api/channels/whatsapp/webhook', {
  summary: 'WhatsApp Cloud API webhook verification handshake',
  tag: 'channels',
  description: 'Answers `hub.challenge` as text when `hub.mode=subscribe` and `hub.verify_token` equals WHATSAPP_VERIFY_TOKEN.',
  responses: { '200': { description: 'The challenge', contentType: 'text/plain' }, '403': 'Wrong verify token', '404': 'Not configured' },
});
describeRoute('POST', '/api/channels/whatsapp/webhook', {
  summary: 'WhatsApp Cloud API webhook notifications',
  tag: 'channels',
  description: 'Requires `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body under WHATSAPP_APP_SECRET.',
  responses: webhookResponses,
});
describeRoute('GET', '/api/channels/facebook/webhook', {
  summary: 'Messenger Platform webhook verification handshake',
  tag: 'channels',
  description: 'Answers `hub.challenge` as text when `hub.mode=subscribe` and `hub.verify_token` equals FACEBOOK_VERIFY_TOKEN.',
  responses: { '200': { description: 'The challenge', contentType: 'text/plain' }, '403': 'Wrong verify token', '404': 'Not configured' },
});
describeRoute('POST', '/api/channels/facebook/webhook', {
  summary: 'Messenger Platform webhook events of the Page',
  tag: 'channels',
  description:
    'Requires `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body under FACEBOOK_APP_SECRET. Messages (text, quick replies, location and image attachments) and postbacks are handled; echoes, deliveries and reads are ignored.',
  responses: webhookResponses,
});
describeRoute('POST', '/api/channels/incidents/:id/reply', {
  summary: "Answer a bot appeal's reporter through the same messenger",
  tag: 'channels',
  description: 'Sends `text` to every chat the appeal (and its merged duplicates) came from, and records it as a `commented` event.',
  responses: {
    '200': { description: '`{sent, channels}`', schema: replySentSchema },
    '403': 'Outside your scope',
    '404': 'No such appeal',
    '409': 'The appeal did not come from a messenger',
    '502': 'The messenger refused the reply',
  },
});
describeRoute('GET', '/api/channels/photos/:key', {
  summary: 'A photo a citizen sent to a bot (the photo_url of the appeal)',
  tag: 'channels',
  responses: { '200': { description: 'The image', contentType: 'image/jpeg' }, '404': 'Unknown key' },
});
