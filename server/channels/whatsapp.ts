import { z } from 'zod';
import { type ChannelAdapter, ChannelSendError, getBytes, type Incoming, type Outgoing, postJson, type Update } from './adapter.ts';
import { MetaWebhookAdapter } from './meta-webhook.ts';

export interface WhatsAppOptions {
  /** A permanent access token of the Meta app's system user. */
  token: string;
  /** The app secret: the key of X-Hub-Signature-256. */
  appSecret: string;
  /** What the webhook verification handshake must present as hub.verify_token. */
  verifyToken: string;
  /** The business phone number's id (the sender). */
  phoneNumberId: string;
  /** Graph API base URL with its version, no trailing slash (https://graph.facebook.com/v21.0). */
  apiBase: string;
}

const WaMessage = z.object({
  from: z.string().max(32),
  id: z.string().max(200),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).optional(),
  image: z.object({ id: z.string().max(200) }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string().max(256) }).optional(),
      list_reply: z.object({ id: z.string().max(256) }).optional(),
    })
    .optional(),
  button: z.object({ payload: z.string().max(256) }).optional(),
});
/** A Cloud API webhook notification, as far as the bot reads it. */
const NotificationSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          field: z.string(),
          value: z.object({
            contacts: z
              .array(z.object({ wa_id: z.string().max(32), profile: z.object({ name: z.string().max(200) }).optional() }))
              .optional(),
            messages: z.array(WaMessage).optional(),
          }),
        }),
      ),
    }),
  ),
});

function inputOf(m: z.infer<typeof WaMessage>): Incoming {
  if (m.type === 'text' && m.text) return { kind: 'text', text: m.text.body };
  if (m.type === 'location' && m.location) return { kind: 'location', lng: m.location.longitude, lat: m.location.latitude };
  if (m.type === 'image' && m.image) return { kind: 'photo', fileId: m.image.id };
  if (m.type === 'interactive') {
    const id = m.interactive?.button_reply?.id ?? m.interactive?.list_reply?.id;
    if (id) return { kind: 'button', id };
  }
  if (m.type === 'button' && m.button) return { kind: 'button', id: m.button.payload };
  return { kind: 'unsupported', what: m.type };
}

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** Up to 3 short buttons are reply buttons; more (up to 10) become a list. */
function interactive(message: Outgoing) {
  const buttons = message.buttons ?? [];
  const body = { text: cut(message.text, 1024) };
  if (buttons.length <= 3 && buttons.every((b) => b.title.length <= 20)) {
    return { type: 'button', body, action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) } };
  }
  const rows = buttons.slice(0, 10).map((b) => ({
    id: b.id,
    title: cut(b.title, 24),
    ...(b.title.length > 24 ? { description: cut(b.title, 72) } : {}),
  }));
  return { type: 'list', body, action: { button: 'Таңдау / Выбрать', sections: [{ title: '109', rows }] } };
}

/** WhatsApp Cloud API: signed webhook notifications in, /messages and media downloads out. */
export class WhatsAppAdapter extends MetaWebhookAdapter<WhatsAppOptions> implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  private get auth() {
    return { authorization: `Bearer ${this.o.token}` };
  }

  parse(body: unknown): Update[] {
    const data = this.read(NotificationSchema, body, 'WhatsApp notification');
    const updates: Update[] = [];
    for (const entry of data.entry) {
      for (const change of entry.changes) {
        if (change.field !== 'messages') continue;
        const names = new Map((change.value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
        for (const m of change.value.messages ?? []) {
          updates.push({ updateId: m.id, userId: m.from, chatId: m.from, name: names.get(m.from), input: inputOf(m) });
        }
      }
    }
    return updates;
  }

  async send(chatId: string, message: Outgoing): Promise<void> {
    if (message.location) {
      const { lng, lat, title } = message.location;
      await postJson(
        `${this.o.apiBase}/${this.o.phoneNumberId}/messages`,
        {
          messaging_product: 'whatsapp',
          to: chatId,
          type: 'location',
          location: { latitude: lat, longitude: lng, ...(title ? { name: cut(title, 100) } : {}) },
        },
        this.auth,
      );
    }
    const payload = message.buttons?.length
      ? { type: 'interactive', interactive: interactive(message) }
      : { type: 'text', text: { body: cut(message.text, 4096) } };
    await postJson(
      `${this.o.apiBase}/${this.o.phoneNumberId}/messages`,
      { messaging_product: 'whatsapp', to: chatId, ...payload },
      this.auth,
    );
  }

  async downloadPhoto(fileId: string) {
    let meta: { url?: string } | null;
    try {
      const res = await fetch(`${this.o.apiBase}/${encodeURIComponent(fileId)}`, {
        headers: this.auth,
        signal: AbortSignal.timeout(10_000),
      });
      meta = res.ok ? ((await res.json()) as { url?: string }) : null;
    } catch (err) {
      throw new ChannelSendError(`media lookup failed: ${(err as Error).message}`);
    }
    if (!meta?.url) throw new ChannelSendError('media lookup gave no url');
    return getBytes(meta.url, this.auth);
  }
}
