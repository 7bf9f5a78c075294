import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Context } from 'hono';

/** Compressing pays from about this size on (a header and a trailer of 18 bytes, a round trip's worth of bytes). */
export const GZIP_FROM_BYTES = 1024;

const gzipAsync = promisify(gzip);

/**
 * True when the request's Accept-Encoding takes gzip: named, or `*`, with a weight above 0
 * (RFC 9110 §12.5.3; `gzip;q=0` refuses it).
 */
export function acceptsGzip(c: Context): boolean {
  const header = c.req.header('accept-encoding');
  if (!header) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding !== '*') return accepted;
    star = accepted;
  }
  return star;
}

/**
 * Answers text written in full (a JSON page, an HTML page): gzip at level 1 when the client
 * takes it and the text is worth it, compressed by zlib's worker threads, not on the event loop;
 * otherwise as it is, with its length. Either way the compress middleware leaves it alone, and
 * the body stays a string or bytes, which the Node adapter writes without a web stream (the
 * stream pipeline of `compress()` cost ~1 ms per 64 KB page, level 1 ~0.25 ms: issue 23).
 */
export async function sendText(c: Context, text: string, type: string): Promise<Response> {
  c.header('Vary', 'Accept-Encoding');
  if (text.length >= GZIP_FROM_BYTES && acceptsGzip(c)) {
    const bytes = await gzipAsync(text, { level: 1 });
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': type, 'Content-Encoding': 'gzip' });
  }
  return c.body(text, 200, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(text)) });
}
