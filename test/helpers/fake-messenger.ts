import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake API received. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** A tiny JPEG-like payload served as the photo a user sent. */
export const PHOTO_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 0xff, 0xd9]);

/**
 * A local stand-in for the Telegram Bot API and the WhatsApp and Messenger Graph APIs (the only faked part of
 * the bot tests): a real HTTP server on a free loopback port that records every call and
 * answers as the real APIs do for the methods the bots use.
 */
export async function startFakeMessenger() {
  const received: Received[] = [];
  let failNext = 0;
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      const path = req.url ?? '/';
      received.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (failNext > 0 && /sendMessage|\/messages$/.test(path)) {
        failNext--;
        return json(500, { ok: false, description: 'Internal Server Error' });
      }
      // Telegram Bot API
      if (/^\/bot[^/]+\/(sendMessage|sendLocation)$/.test(path)) return json(200, { ok: true, result: { message_id: received.length } });
      if (/^\/bot[^/]+\/answerCallbackQuery$/.test(path)) return json(200, { ok: true, result: true });
      if (/^\/bot[^/]+\/getFile$/.test(path)) return json(200, { ok: true, result: { file_id: 'x', file_path: 'photos/file_1.jpg' } });
      if (/^\/file\/bot[^/]+\/photos\/file_1\.jpg$/.test(path)) {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        return res.end(PHOTO_BYTES);
      }
      // Messenger Send API
      if (/^\/v\d+\.\d+\/me\/messages$/.test(path))
        return json(200, { recipient_id: (body as any)?.recipient?.id, message_id: `m_${received.length}` });
      // WhatsApp Graph API
      if (/^\/v\d+\.\d+\/\d+\/messages$/.test(path))
        return json(200, { messaging_product: 'whatsapp', messages: [{ id: `wamid.${received.length}` }] });
      if (/^\/v\d+\.\d+\/media-\w+$/.test(path)) return json(200, { url: `${base}/media-download/1`, mime_type: 'image/jpeg' });
      if (path === '/media-download/1') {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        return res.end(PHOTO_BYTES);
      }
      json(404, { ok: false, description: 'Not Found' });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    /** The next `n` sends answer 500. */
    failSends(n: number) {
      failNext = n;
    },
    /**
     * Messages sent to one chat (Telegram sendMessage and sendLocation bodies — a location has
     * `latitude` and no `text` — or WhatsApp and Messenger /messages bodies), in order.
     */
    sentTo(chat: string | number) {
      return received
        .filter(
          (r) =>
            /sendMessage$|sendLocation$|\/messages$/.test(r.path) &&
            (String(r.body?.chat_id) === String(chat) || r.body?.to === String(chat) || r.body?.recipient?.id === String(chat)),
        )
        .map((r) => r.body);
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
