import type pg from 'pg';
import { AppError } from '../errors.ts';

/** Misses allowed per address in one window, and the window (the 10 per 10 minutes). */
export const MISS_LIMIT = 10;
export const MISS_WINDOW_SECONDS = 600;

/**
 * Throttles guessing on the public status look-up: misses (a number with a wrong or missing
 * second factor, or no such number) are counted per client address in a fixed window, in the
 * database (table public_lookup_misses), so the count survives a restart and every instance
 * shares it. One row per address; ended windows are deleted as new ones start, so the table
 * holds at most the addresses that missed in the last ten minutes.
 *
 * A look-up first reserves a miss atomically (one upsert: concurrent guesses cannot all pass
 * the check), and gives it back when it finds the appeal. At the limit: 429 with Retry-After
 * until the window ends, before any look-up.
 */
export class MissCounter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly limit = MISS_LIMIT,
    private readonly windowSeconds = MISS_WINDOW_SECONDS,
  ) {}

  /** Counts one attempt as a miss; 429 when the address is past its limit. */
  async reserve(address: string): Promise<void> {
    const { rows } = await this.pool.query<{ misses: number; wait: number }>(
      `INSERT INTO public_lookup_misses AS m (address, window_start, misses) VALUES ($1, now(), 1)
       ON CONFLICT (address) DO UPDATE SET
         window_start = CASE WHEN m.window_start <= now() - make_interval(secs => $2) THEN now() ELSE m.window_start END,
         misses = CASE WHEN m.window_start <= now() - make_interval(secs => $2) THEN 1 ELSE m.misses + 1 END
       RETURNING misses, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS wait`,
      [address, this.windowSeconds],
    );
    const { misses, wait } = rows[0];
    if (misses === 1) await this.purge();
    if (misses > this.limit) {
      throw new AppError(
        429,
        'too_many_requests',
        `Too many look-ups that found nothing from your address; try again in ${Math.ceil(Math.max(1, wait) / 60)} min.`,
        [],
        { 'Retry-After': String(Math.max(1, wait)) },
      );
    }
  }

  /** The look-up found the appeal: the reserved miss is given back. */
  async release(address: string): Promise<void> {
    await this.pool.query('UPDATE public_lookup_misses SET misses = greatest(misses - 1, 0) WHERE address = $1', [address]);
  }

  /** Drops the rows of windows that have ended. */
  async purge(): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM public_lookup_misses WHERE window_start <= now() - make_interval(secs => $1)', [
      this.windowSeconds,
    ]);
    return rowCount ?? 0;
  }
}
