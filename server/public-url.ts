import type { Context } from 'hono';
import type { Config } from './config.ts';

type PublicUrlConfig = Pick<Config, 'JARDEM_PUBLIC_URL' | 'JARDEM_PUBLIC_URL_SET' | 'JARDEM_TRUST_PROXY'>;

/**
 * The absolute URL of this request as the public reached it, for the links /ogc and /open311
 * advertise. JARDEM_PUBLIC_URL, when set, wins (its path is a prefix: `https://host/city`);
 * else the request's own URL, where X-Forwarded-Proto/-Host count only behind a trusted proxy
 * (JARDEM_TRUST_PROXY), since any client can send them.
 */
export function publicRequestUrl(c: Context, config: PublicUrlConfig): URL {
  const url = new URL(c.req.url);
  if (config.JARDEM_PUBLIC_URL_SET) {
    const base = new URL(config.JARDEM_PUBLIC_URL);
    const out = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${url.pathname}`);
    out.search = url.search;
    return out;
  }
  if (config.JARDEM_TRUST_PROXY) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0].trim();
    const host = c.req.header('x-forwarded-host')?.split(',')[0].trim();
    if (proto === 'http' || proto === 'https') url.protocol = `${proto}:`;
    if (host && /^[\w.:[\]-]+$/.test(host)) url.host = host;
  }
  return url;
}

/** The public base URL (origin and any JARDEM_PUBLIC_URL prefix), without a final slash. */
export function publicBase(c: Context, config: PublicUrlConfig): string {
  if (config.JARDEM_PUBLIC_URL_SET) return config.JARDEM_PUBLIC_URL;
  return publicRequestUrl(c, config).origin;
}
