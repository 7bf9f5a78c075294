import { z } from 'zod';
import { type Button, type ChannelAdapter, getBytes, type Incoming, type Outgoing, postJson, type Update } from './adapter.ts';
import { MetaWebhookAdapter } from './meta-webhook.ts';

export interface FacebookOptions {
  /** The Page access token (sends as the Page). */
  pageToken: string;
  /** The Meta app's secret: the key of X-Hub-Signature-256. */
  appSecret: string;
  /** What the webhook verification handshake must present as hub.verify_token. */
  verifyToken: string;
  /** Graph API base URL with its version, no trailing slash (https://graph.facebook.com/v21.0). */
  apiBase: string;
}

const Attachment = z.object({
  type: z.string().max(40),
  payload: z
    .object({
      url: z.string().max(2000).optional(),
      coordinates: z.object({ lat: z.number().min(-90).max(90), long: z.number().min(-180).max(180) }).optional(),
    })
    .nullish(),
});
const Messaging = z.object({
  sender: z.object({ id: z.string().max(64) }),
  timestamp: z.number().optional(),
  message: z
    .object({
      mid: z.string().max(200),
      is_echo: z.boolean().optional(),
      text: z.string().optional(),
      quick_reply: z.object({ payload: z.string().max(1000) }).optional(),
      attachments: z.array(Attachment).optional(),
    })
    .optional(),
  postback: z.object({ mid: z.string().max(200).optional(), payload: z.string().max(1000) }).optional(),
});
/** A Messenger Platform webhook event (object `page`), as far as the bot reads it. */
const EventSchema = z.object({
  object: z.string(),
  entry: z.array(z.object({ messaging: z.array(Messaging).optional() })),
});

type Message = NonNullable<z.infer<typeof Messaging>['message']>;

function inputOf(m: Message): Incoming {
  if (m.quick_reply) return { kind: 'button', id: m.quick_reply.payload };
  const a = m.attachments?.[0];
  if (a?.type === 'location' && a.payload?.coordinates) {
    return { kind: 'location', lng: a.payload.coordinates.long, lat: a.payload.coordinates.lat };
  }
  // Messenger gives the image's own (signed, short-lived) URL: it stands for the file id.
  if (a?.type === 'image' && a.payload?.url && /^https?:\/\//.test(a.payload.url)) return { kind: 'photo', fileId: a.payload.url };
  if (a) return { kind: 'unsupported', what: a.type };
  if (m.text !== undefined) return { kind: 'text', text: m.text };
  return { kind: 'unsupported', what: 'other' };
}

/** Messenger's limits: 13 quick replies, 20 characters of a title, 2000 of a text. */
const MAX_QUICK_REPLIES = 13;
const MAX_TITLE = 20;
const MAX_TEXT = 2000;

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/**
 * Buttons as quick replies. Titles longer than Messenger shows are numbered: the text lists
 * them in full, each quick reply starts with its number.
 */
export function quickReplies(text: string, buttons: Button[]) {
  const shown = buttons.slice(0, MAX_QUICK_REPLIES);
  const long = shown.some((b) => b.title.length > MAX_TITLE);
  const list = long ? `\n\n${shown.map((b, i) => `${i + 1}. ${b.title}`).join('\n')}` : '';
  return {
    text: cut(text, MAX_TEXT - list.length) + list,
    quick_replies: shown.map((b, i) => ({
      content_type: 'text',
      title: long ? cut(`${i + 1}. ${b.title}`, MAX_TITLE) : b.title,
      payload: b.id,
    })),
  };
}

/** Messenger Platform: signed webhook events of a Page in, the Send API out. */
export class FacebookAdapter extends MetaWebhookAdapter<FacebookOptions> implements ChannelAdapter {
  readonly channel = 'facebook' as const;
  parse(body: unknown): Update[] {
    const data = this.read(EventSchema, body, 'Messenger webhook event');
    if (data.object !== 'page') return [];
    const updates: Update[] = [];
    for (const entry of data.entry) {
      for (const ev of entry.messaging ?? []) {
        const user = ev.sender.id;
        if (ev.message && !ev.message.is_echo) {
          updates.push({ updateId: ev.message.mid, userId: user, chatId: user, input: inputOf(ev.message) });
        } else if (ev.postback) {
          // A postback's mid is there on today's platform; older events are keyed by their time.
          const id = ev.postback.mid ?? `pb:${user}:${ev.timestamp ?? ''}:${ev.postback.payload}`;
          updates.push({ updateId: id.slice(0, 200), userId: user, chatId: user, input: { kind: 'button', id: ev.postback.payload } });
        }
        // Deliveries, reads and the Page's own echoes: nothing to answer.
      }
    }
    return updates;
  }

  private async post(chatId: string, message: Record<string, unknown>) {
    await postJson(
      `${this.o.apiBase}/me/messages`,
      { recipient: { id: chatId }, messaging_type: 'RESPONSE', message },
      { authorization: `Bearer ${this.o.pageToken}` },
    );
  }

  async send(chatId: string, message: Outgoing): Promise<void> {
    if (message.location) {
      // Messenger no longer sends location pins: a link to the point on a map instead.
      const { lng, lat, title } = message.location;
      const map = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=18/${lat}/${lng}`;
      await this.post(chatId, { text: cut(`📍 ${title ? `${title}\n` : ''}${map}`, MAX_TEXT) });
    }
    await this.post(chatId, message.buttons?.length ? quickReplies(message.text, message.buttons) : { text: cut(message.text, MAX_TEXT) });
  }

  async downloadPhoto(fileId: string) {
    return getBytes(fileId);
  }
}
