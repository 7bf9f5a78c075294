import type pg from 'pg';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

type Limits = Pick<Config, 'JARDEM_LOGIN_MAX_FAILURES' | 'JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS' | 'JARDEM_LOGIN_LOCK_MINUTES'>;

const loginKey = (login: string) => `login:${login.toLowerCase()}`;
const addressKey = (address: string) => `addr:${address}`;

/**
 * Sign-in throttling kept in the database (every instance sees the same counts): failures are
 * counted per login and per client address within a window of JARDEM_LOGIN_LOCK_MINUTES; at the
 * limit the key is locked for as long, and sign-ins answer 429 with Retry-After.
 */
export class LoginThrottle {
  constructor(
    private readonly pool: pg.Pool,
    private readonly limits: Limits,
  ) {}

  private keys(login: string, address: string | null) {
    return address ? [loginKey(login), addressKey(address)] : [loginKey(login)];
  }

  /** 429 when the login or the address is locked now. */
  async check(login: string, address: string | null): Promise<void> {
    const { rows } = await this.pool.query<{ wait: number }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int AS wait
         FROM login_failures WHERE key = ANY($1::text[]) AND locked_until > now()`,
      [this.keys(login, address)],
    );
    const wait = rows[0]?.wait;
    if (wait) {
      throw new AppError(429, 'too_many_attempts', `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} min.`, [], {
        'Retry-After': String(Math.max(1, wait)),
      });
    }
  }

  /** Counts a failure for the login and the address; locks those at their limit. */
  async failed(login: string, address: string | null): Promise<void> {
    const minutes = this.limits.JARDEM_LOGIN_LOCK_MINUTES;
    const keys = this.keys(login, address);
    const maxes = [this.limits.JARDEM_LOGIN_MAX_FAILURES, this.limits.JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS].slice(0, keys.length);
    await this.pool.query(
      `INSERT INTO login_failures AS f (key, failures, window_start, locked_until)
       SELECT k, 1, now(), CASE WHEN m <= 1 THEN now() + make_interval(mins => $3) END
         FROM unnest($1::text[], $2::int[]) AS u(k, m)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.window_start < now() - make_interval(mins => $3) THEN 1 ELSE f.failures + 1 END,
         window_start = CASE WHEN f.window_start < now() - make_interval(mins => $3) THEN now() ELSE f.window_start END,
         locked_until = CASE
           WHEN f.window_start >= now() - make_interval(mins => $3) AND f.failures + 1 >= (SELECT m FROM unnest($1::text[], $2::int[]) AS v(k, m) WHERE v.k = f.key)
           THEN now() + make_interval(mins => $3) ELSE f.locked_until END`,
      [keys, maxes, minutes],
    );
  }

  /** A successful sign-in clears the login's count (the address keeps its own). */
  async succeeded(login: string): Promise<void> {
    await this.pool.query('DELETE FROM login_failures WHERE key = $1', [loginKey(login)]);
  }

  /** An admin unlocks a login (also done by a password reset). */
  async clear(login: string): Promise<void> {
    await this.succeeded(login);
  }
}
