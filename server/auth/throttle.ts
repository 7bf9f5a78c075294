import type pg from 'pg';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

type Limits = Pick<
  Config,
  'JARDEM_LOGIN_MAX_FAILURES' | 'JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS' | 'JARDEM_LOGIN_LOCK_MINUTES' | 'JARDEM_LOGIN_ATTEMPTS_PER_MINUTE'
>;

/** One counter of sign_in_attempts as an admin sees it (GET /api/admin/sign-in-locks). */
export interface SignInLock {
  /** `pair`: one login from one address; `address`: any login from one address; `login`: one login from anywhere (slowed, not locked). */
  kind: 'pair' | 'address' | 'login';
  login: string | null;
  address: string | null;
  attempts: number;
  window_start: string;
  /** Until when the pair or address is refused; for `login`, the end of the current minute. */
  locked_until: string | null;
  last_at: string;
}

/** What lifting acts on: a login's locks, an address's locks, or the one pair. */
export interface LockFilter {
  login?: string;
  address?: string;
}

// Addresses come from the socket or a trusted proxy; a cap keeps a malformed header from bloating a key.
const addressKey = (address: string | null) => (address ?? '').slice(0, 100);
const loginKey = (login: string) => login.toLowerCase();

// The window of a counter is over (and no lock holds): the next attempt starts it again at 1.
const FRESH = `(coalesce(a.locked_until <= now(), true) AND a.window_start < now() - make_interval(mins => $5))`;

/**
 * The update of a counter that locks at `max` attempts within a window of $5 minutes: a lock
 * stays until it ends (attempts keep counting), and the attempt past `max` locks the counter
 * for $5 minutes.
 */
const counterUpdate = (max: string) => `
  attempts = CASE WHEN ${FRESH} THEN 1 ELSE a.attempts + 1 END,
  window_start = CASE WHEN ${FRESH} THEN now() ELSE a.window_start END,
  locked_until = CASE
    WHEN a.locked_until > now() THEN a.locked_until
    WHEN NOT ${FRESH} AND a.attempts + 1 > ${max} THEN now() + make_interval(mins => $5)
    END,
  last_at = now()`;

/**
 * Counts one sign-in attempt on every counter it touches, in one statement, before the password
 * is hashed: the address (any login), then the (login, address) pair unless the address is
 * locked, then the login's per-minute budget unless either is locked. Each counter is one row
 * updated by INSERT … ON CONFLICT, so concurrent attempts are counted one by one and the
 * attempt past a limit sees it. $1 login, $2 address ('' unknown), $3 pair limit, $4 address
 * limit, $5 lock minutes.
 */
const ADMIT_SQL = `
WITH addr AS (
  INSERT INTO sign_in_attempts AS a (kind, login, address, attempts) SELECT 'address', '', $2, 1 WHERE $2 <> ''
  ON CONFLICT (kind, login, address) DO UPDATE SET ${counterUpdate('$4')}
  RETURNING a.locked_until
), pair AS (
  INSERT INTO sign_in_attempts AS a (kind, login, address, attempts)
  SELECT 'pair', $1, $2, 1 WHERE NOT EXISTS (SELECT 1 FROM addr WHERE locked_until > now())
  ON CONFLICT (kind, login, address) DO UPDATE SET ${counterUpdate('$3')}
  RETURNING a.locked_until
), budget AS (
  INSERT INTO sign_in_attempts AS a (kind, login, address, attempts)
  SELECT 'login', $1, '', 1
   WHERE NOT EXISTS (SELECT 1 FROM addr WHERE locked_until > now()) AND NOT EXISTS (SELECT 1 FROM pair WHERE locked_until > now())
  ON CONFLICT (kind, login, address) DO UPDATE SET
    attempts = CASE WHEN a.window_start <= now() - interval '1 minute' THEN 1 ELSE a.attempts + 1 END,
    window_start = CASE WHEN a.window_start <= now() - interval '1 minute' THEN now() ELSE a.window_start END,
    last_at = now()
  RETURNING a.attempts, a.window_start
)
SELECT ceil(extract(epoch FROM greatest((SELECT locked_until FROM addr), (SELECT locked_until FROM pair)) - now()))::int AS locked_for,
       (SELECT attempts FROM budget) AS budget_used,
       ceil(extract(epoch FROM (SELECT window_start FROM budget) + interval '1 minute' - now()))::int AS budget_for`;

/** Gives back the address's and the login's count of an attempt that was not a guess. */
const GIVE_BACK_SQL = `
UPDATE sign_in_attempts SET attempts = greatest(attempts - 1, 0)
 WHERE (kind = 'address' AND login = '' AND address = $2 AND $2 <> '') OR (kind = 'login' AND login = $1 AND address = '')`;

const tooMany = (seconds: number, message: string) =>
  new AppError(429, 'too_many_attempts', message, [], { 'Retry-After': String(Math.max(1, seconds)) });

/**
 * Sign-in throttling kept in the database, so every instance sees the same counts.
 *
 * - A (login, address) pair is locked for JARDEM_LOGIN_LOCK_MINUTES after
 *   JARDEM_LOGIN_MAX_FAILURES attempts in that window: guessing from one place stops there,
 *   and the real user at another address is not locked out with the guesser.
 * - An address is locked likewise after JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS attempts at any logins.
 * - A login is slowed, never locked: beyond JARDEM_LOGIN_ATTEMPTS_PER_MINUTE attempts per minute
 *   from all addresses together, attempts wait for the next minute (429 with Retry-After).
 *
 * Attempts are counted before the hash (see ADMIT_SQL); a successful sign-in clears its pair and
 * gives its count back to the address and the login, so an office behind one address is not
 * locked by its own staff signing in.
 */
export class SignInThrottle {
  constructor(
    private readonly pool: pg.Pool,
    private readonly limits: Limits,
  ) {}

  /**
   * Counts the attempt; 429 with Retry-After when the pair or address is locked or the login's
   * minute is used up — the minute's budget does not hold back a browser known to this login
   * (known-device.ts).
   */
  async admit(login: string, address: string | null, knownDevice = false): Promise<void> {
    const l = loginKey(login);
    const a = addressKey(address);
    const { rows } = await this.pool.query<{ locked_for: number | null; budget_used: number | null; budget_for: number | null }>(
      ADMIT_SQL,
      [
        l,
        a,
        this.limits.JARDEM_LOGIN_MAX_FAILURES,
        this.limits.JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS,
        this.limits.JARDEM_LOGIN_LOCK_MINUTES,
      ],
    );
    const { locked_for, budget_used, budget_for } = rows[0];
    if (locked_for !== null && locked_for > 0) {
      throw tooMany(locked_for, `Too many failed sign-ins; try again in ${Math.ceil(locked_for / 60)} min.`);
    }
    if (!knownDevice && budget_used !== null && budget_used > this.limits.JARDEM_LOGIN_ATTEMPTS_PER_MINUTE) {
      // Not this client's guess: the pair and the address get their count back.
      await this.pool.query(
        `UPDATE sign_in_attempts SET attempts = greatest(attempts - 1, 0)
          WHERE (kind = 'pair' AND login = $1 AND address = $2) OR (kind = 'address' AND login = '' AND address = $2 AND $2 <> '')`,
        [l, a],
      );
      throw tooMany(budget_for ?? 60, 'This login is receiving too many sign-in attempts; try again in a minute.');
    }
  }

  /** A successful sign-in: its pair starts afresh, the address and the login get the attempt back. */
  async succeeded(login: string, address: string | null): Promise<void> {
    const l = loginKey(login);
    const a = addressKey(address);
    await this.pool.query(`DELETE FROM sign_in_attempts WHERE kind = 'pair' AND login = $1 AND address = $2`, [l, a]);
    await this.pool.query(GIVE_BACK_SQL, [l, a]);
  }

  /** Locked pairs and addresses, and logins over their budget this minute; newest first. */
  async locks(): Promise<SignInLock[]> {
    const { rows } = await this.pool.query<SignInLock>(
      `SELECT kind, nullif(login, '') AS login, nullif(address, '') AS address, attempts, window_start,
              CASE WHEN kind = 'login' THEN window_start + interval '1 minute' ELSE locked_until END AS locked_until, last_at
         FROM sign_in_attempts
        WHERE (kind <> 'login' AND locked_until > now())
           OR (kind = 'login' AND attempts > $1 AND window_start > now() - interval '1 minute')
        ORDER BY last_at DESC
        LIMIT 1000`,
      [this.limits.JARDEM_LOGIN_ATTEMPTS_PER_MINUTE],
    );
    return rows;
  }

  /** Clears the counters of a login, an address, or one pair (both given). Returns how many were cleared. */
  async lift(filter: LockFilter): Promise<number> {
    return liftSignInLocks(this.pool, filter);
  }
}

/** Clears sign-in counters by login and/or address (a password reset clears a login's). */
export async function liftSignInLocks(pool: pg.Pool, { login, address }: LockFilter): Promise<number> {
  if (login === undefined && address === undefined) return 0;
  const { rowCount } = await pool.query(
    `DELETE FROM sign_in_attempts WHERE ($1::text IS NULL OR login = $1) AND ($2::text IS NULL OR address = $2)`,
    [login === undefined ? null : loginKey(login), address === undefined ? null : addressKey(address)],
  );
  return rowCount ?? 0;
}
