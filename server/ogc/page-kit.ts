/** What every /ogc page needs: its base URL, links with changed parameters, the format asked for. */
import type { Context } from 'hono';
import type { Deps } from '../context.ts';
import { sendText } from '../gzip-body.ts';
import { publicBase, publicRequestUrl } from '../public-url.ts';
import { JSON_TYPE } from './collections.ts';
import { type Format, negotiate } from './params.ts';

/** What the links need to know: JARDEM_PUBLIC_URL and whether a proxy's X-Forwarded-* count. */
export type Site = Deps['config'];

export const baseOf = (c: Context, site: Site) => `${publicBase(c, site)}/ogc`;

/** The current URL as the public reached it, with some query parameters replaced (undefined removes one). */
export function withParams(c: Context, site: Site, params: Record<string, string | undefined>): string {
  const url = publicRequestUrl(c, site);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return url.toString();
}

export const fmt = (c: Context, f: Format | undefined) => negotiate(f, c.req.header('accept'));

/** A JSON document (gzip when taken and worth it: sendText). */
export const sendJson = (c: Context, body: unknown, type = JSON_TYPE) => sendText(c, JSON.stringify(body), type);

/** An HTML page, as sendJson sends JSON. */
export const sendHtml = (c: Context, html: string) => sendText(c, html, 'text/html; charset=UTF-8');
