import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError, badRequest } from '../errors.ts';
import {
  type Button,
  type ChannelAdapter,
  ChannelSendError,
  getBytes,
  type Incoming,
  type Outgoing,
  postJson,
  type Update,
  type WebhookRequest,
} from './adapter.ts';

export interface TelegramOptions {
  /** The bot's token from @BotFather. */
  token: string;
  /** The `secret_token` given to setWebhook; Telegram sends it in X-Telegram-Bot-Api-Secret-Token. */
  secret: string;
  /** Bot API base URL, no trailing slash (https://api.telegram.org, or a local Bot API server). */
  apiBase: string;
}

const user = z.object({ id: z.number().int(), first_name: z.string().optional(), language_code: z.string().optional() });
const message = z.object({
  message_id: z.number().int(),
  from: user.optional(),
  chat: z.object({ id: z.number().int() }),
  text: z.string().optional(),
  location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) }).optional(),
  photo: z.array(z.object({ file_id: z.string().max(300), file_size: z.number().optional() })).optional(),
  sticker: z.unknown().optional(),
  voice: z.unknown().optional(),
  audio: z.unknown().optional(),
  video: z.unknown().optional(),
  video_note: z.unknown().optional(),
  document: z.unknown().optional(),
});
/** An Update of the Bot API, as far as the bot reads it. */
const UpdateSchema = z.object({
  update_id: z.number().int(),
  message: message.optional(),
  callback_query: z
    .object({
      id: z.string().max(100),
      from: user,
      message: z.object({ chat: z.object({ id: z.number().int() }) }).optional(),
      data: z.string().max(64).optional(),
    })
    .optional(),
});

function inputOf(m: z.infer<typeof message>): Incoming {
  if (m.location) return { kind: 'location', lng: m.location.longitude, lat: m.location.latitude };
  // Sizes come smallest first: the last is the largest.
  if (m.photo?.length) return { kind: 'photo', fileId: m.photo[m.photo.length - 1].file_id };
  if (m.text !== undefined) return { kind: 'text', text: m.text };
  const what = ['sticker', 'voice', 'audio', 'video', 'video_note', 'document'].find((k) => m[k as keyof typeof m] !== undefined);
  return { kind: 'unsupported', what: what ?? 'other' };
}

/** Short buttons (ratings 1–5) share a row; others get a row each. */
function keyboard(buttons: Button[]) {
  const rows: { text: string; callback_data: string }[][] = [];
  for (const b of buttons) {
    const key = { text: b.title, callback_data: b.id };
    const last = rows[rows.length - 1];
    if (b.title.length <= 3 && last && last.length < 5 && last.every((k) => k.text.length <= 3)) last.push(key);
    else rows.push([key]);
  }
  return { inline_keyboard: rows };
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Telegram's Bot API: webhook updates in, sendMessage / sendLocation / answerCallbackQuery / getFile out. */
export class TelegramAdapter implements ChannelAdapter {
  readonly channel = 'telegram' as const;
  constructor(private readonly o: TelegramOptions) {}

  private method(name: string) {
    return `${this.o.apiBase}/bot${this.o.token}/${name}`;
  }

  verify(req: WebhookRequest): void {
    const got = req.headers.get('x-telegram-bot-api-secret-token');
    if (!got) throw new AppError(401, 'unauthorized', 'The X-Telegram-Bot-Api-Secret-Token header is missing.');
    if (!sameSecret(got, this.o.secret)) throw new AppError(403, 'forbidden', 'The webhook secret token does not match.');
  }

  parse(body: unknown): Update[] {
    const r = UpdateSchema.safeParse(body);
    if (!r.success)
      throw badRequest(
        'Not a Telegram update.',
        r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    const u = r.data;
    const updateId = String(u.update_id);
    if (u.callback_query) {
      const q = u.callback_query;
      if (!q.data || !q.message) return [];
      return [
        {
          updateId,
          userId: String(q.from.id),
          chatId: String(q.message.chat.id),
          name: q.from.first_name,
          langHint: q.from.language_code,
          input: { kind: 'button', id: q.data },
          ackId: q.id,
        },
      ];
    }
    const m = u.message;
    if (!m?.from) return [];
    return [
      {
        updateId,
        userId: String(m.from.id),
        chatId: String(m.chat.id),
        name: m.from.first_name,
        langHint: m.from.language_code,
        input: inputOf(m),
      },
    ];
  }

  async send(chatId: string, message: Outgoing): Promise<void> {
    if (message.location) {
      await postJson(this.method('sendLocation'), { chat_id: chatId, latitude: message.location.lat, longitude: message.location.lng });
    }
    await postJson(this.method('sendMessage'), {
      chat_id: chatId,
      text: message.text.slice(0, 4096),
      ...(message.buttons?.length ? { reply_markup: keyboard(message.buttons) } : {}),
    });
  }

  async acknowledge(ackId: string): Promise<void> {
    await postJson(this.method('answerCallbackQuery'), { callback_query_id: ackId });
  }

  async downloadPhoto(fileId: string) {
    const r = (await postJson(this.method('getFile'), { file_id: fileId })) as { result?: { file_path?: string } } | null;
    const path = r?.result?.file_path;
    if (!path) throw new ChannelSendError('getFile gave no file_path');
    return getBytes(`${this.o.apiBase}/file/bot${this.o.token}/${path}`);
  }
}
