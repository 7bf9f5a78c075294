import type { Context } from 'hono';
import type { Config } from '../config.ts';

/**
 * The client's address: the socket's peer, or behind a trusted reverse proxy the last
 * X-Forwarded-For entry (the one our proxy added; earlier entries are the client's own claim).
 * Null when there is no socket (requests made in-process, as the tests do).
 */
export function clientAddress(c: Context, config: Pick<Config, 'JARDEM_TRUST_PROXY'>): string | null {
  if (config.JARDEM_TRUST_PROXY) {
    const last = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (last) return last;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}
