import { createMiddleware } from 'hono/factory';
import type { Config } from '../config.ts';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { clientAddress } from './client-address.ts';

/** Length of one counting window, in milliseconds. */
const WINDOW_MS = 60_000;

/**
 * At most `JARDEM_RATE_LIMIT` requests per client address per minute (a fixed window, kept in
 * this process: behind a load balancer each instance counts its own share). Above it: 429 with
 * Retry-After in seconds until the window ends. Requests without a client address (in-process
 * tests) are not counted.
 */
export function rateLimit(config: Pick<Config, 'JARDEM_RATE_LIMIT' | 'JARDEM_TRUST_PROXY'>, now: () => number = Date.now) {
  const windows = new Map<string, { start: number; count: number }>();
  let swept = now();
  return createMiddleware<AppEnv>(async (c, next) => {
    const limit = config.JARDEM_RATE_LIMIT;
    const address = limit > 0 ? clientAddress(c, config) : null;
    if (address === null) return next();
    const t = now();
    if (t - swept > WINDOW_MS) {
      // Forget finished windows so that the map holds only the last minute's clients.
      for (const [k, w] of windows) if (t - w.start >= WINDOW_MS) windows.delete(k);
      swept = t;
    }
    let w = windows.get(address);
    if (!w || t - w.start >= WINDOW_MS) windows.set(address, (w = { start: t, count: 0 }));
    if (++w.count > limit) {
      const retry = Math.max(1, Math.ceil((w.start + WINDOW_MS - t) / 1000));
      throw new AppError(429, 'rate_limited', `Too many requests: at most ${limit} a minute; try again in ${retry} s.`, [], {
        'Retry-After': String(retry),
      });
    }
    await next();
  });
}
