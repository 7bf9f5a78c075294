/**
 * One messenger behind one small interface: read its webhook, send a message with buttons,
 * download a photo. The conversation and the store know nothing of Telegram or WhatsApp; a new
 * messenger is a new adapter.
 */

export type ChannelName = 'telegram' | 'whatsapp' | 'facebook';

/** A button the user can press; `id` comes back as an input of kind `button`. */
export interface Button {
  id: string;
  title: string;
}

/**
 * A message to the user: text, and optionally buttons (the adapter picks how to draw them) and a
 * place to show as a location pin, sent just before the text.
 */
export interface Outgoing {
  text: string;
  buttons?: Button[];
  /** [lng, lat] in degrees (EPSG:4326) and a short name of the place. */
  location?: { lng: number; lat: number; title?: string };
}

/** What a user sent, reduced to what the conversation understands. */
export type Incoming =
  | { kind: 'text'; text: string }
  | { kind: 'button'; id: string }
  /** A shared location, [lng, lat] in degrees (EPSG:4326). */
  | { kind: 'location'; lng: number; lat: number }
  | { kind: 'photo'; fileId: string }
  /** A sticker, a voice message, a video...: answered politely, never acted on. */
  | { kind: 'unsupported'; what: string };

/** One update from a messenger. */
export interface Update {
  /** The messenger's own id of this update: the same id is handled once. */
  updateId: string;
  /** The user (the reporter's contact: personal data). */
  userId: string;
  /** Where to answer (a Telegram chat id; a WhatsApp user's number). */
  chatId: string;
  /** The user's name as the messenger gives it, if any. */
  name?: string;
  /** The app's language, used until the user chooses one. */
  langHint?: string;
  input: Incoming;
  /** Something to acknowledge once handled (Telegram's callback query id). */
  ackId?: string;
}

/** The raw request as a webhook receives it. */
export interface WebhookRequest {
  headers: Headers;
  /** The body exactly as sent: signatures are over these bytes. */
  rawBody: string;
}

export interface ChannelAdapter {
  readonly channel: ChannelName;
  /** Throws an AppError (401/403) unless the request really comes from the messenger. */
  verify(req: WebhookRequest): void;
  /** The updates in a webhook body (unknown kinds are skipped; a malformed body is a 400). */
  parse(body: unknown): Update[];
  /** Sends a message to a chat; throws when the messenger refuses it. */
  send(chatId: string, message: Outgoing): Promise<void>;
  /** Downloads a photo the user sent, by the messenger's file id. */
  downloadPhoto(fileId: string): Promise<{ bytes: Buffer; contentType: string }>;
  /** Tells the messenger a button press was handled (stops the spinner), when it needs it. */
  acknowledge?(ackId: string): Promise<void>;
}

/** Thrown when a messenger's API answers with an error or cannot be reached. */
export class ChannelSendError extends Error {}

/** POSTs JSON to a messenger's API; a non-2xx answer or a network failure is a ChannelSendError. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new ChannelSendError(`messenger API unreachable: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new ChannelSendError(`messenger API answered ${res.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** GETs bytes (a photo) with a size limit. */
export async function getBytes(url: string, headers: Record<string, string> = {}, maxBytes = 5 * 1024 * 1024) {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(20_000) });
  } catch (err) {
    throw new ChannelSendError(`messenger file unreachable: ${(err as Error).message}`);
  }
  if (!res.ok) throw new ChannelSendError(`messenger file answered ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > maxBytes) throw new ChannelSendError(`photo larger than ${maxBytes} bytes`);
  return { bytes, contentType: res.headers.get('content-type')?.split(';')[0] || 'image/jpeg' };
}
