import type pg from 'pg';
import { getCityRules } from '../lifecycle/calendar.ts';
import { tokenFor } from '../lifecycle/tokens.ts';
import { log } from '../log.ts';
import { countSegments } from './segments.ts';
import { offsetAt } from '../deadlines/zone.ts';
import { isQuiet, type QuietHours } from './quiet.ts';
import { smsAddress, type SmsReceipt, type SmsSender, SmsSendError } from './sender.ts';
import { type SmsStatus, smsLang, smsText } from './texts.ts';

export interface OutboxOptions {
  sender: SmsSender;
  /** The key of feedback links: the link is made from the token's nonce when the SMS goes. */
  linkKey: Buffer;
  /** JARDEM_PUBLIC_URL: links point at `<publicUrl>/feedback/<token>`. */
  publicUrl: string;
  /** Non-urgent SMS wait out these hours of the city's day; null: no quiet hours. */
  quietHours: QuietHours | null;
  /** Attempts before a message is given up as failed. */
  maxAttempts: number;
  /** Wait before the first retry (ms); it doubles with each attempt, up to an hour. */
  retryBaseMs: number;
  /** Messages claimed per run. */
  batch: number;
  /** A message still "sending" after this long was cut off by a stop (ms): given up, never resent. */
  interruptedAfterMs: number;
}

interface Claimed {
  id: number;
  kind: 'registered' | 'resolved' | 'status';
  phone: string;
  lang: string;
  status_to: SmsStatus | null;
  attempts: number;
  number: string;
  nonce: string | null;
  link_live: boolean | null;
}

const MAX_RETRY_MS = 3600_000;
/** A receipt that names no part yet is looked for again this often (ms), this many times. */
const RECEIPT_RETRY_MS = 500;
const RECEIPT_TRIES = 20;

/**
 * The SMS outbox (table sms_outbox, filled by triggers in the transaction of the intake or the
 * resolution that causes each message). A run claims due messages with FOR UPDATE SKIP LOCKED
 * and marks them "sending" before anything goes out, so that two runs or two instances never
 * take the same one and a message cut off by a stop is not sent again; sends them; and records
 * "sent" with the SMSC's ids, a retry with back-off, or a failure. Receipts move "sent" on to
 * "delivered" or "undelivered".
 */
export class SmsOutbox {
  private running: Promise<number> | null = null;
  private timer?: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly o: OutboxOptions,
  ) {
    o.sender.onReceipt((r) => void this.receipt(r).catch((err) => log.warn({ err: (err as Error).message }, 'SMS receipt not recorded')));
  }

  /** One pass (one at a time per process); resolves to how many messages it handled. */
  runOnce(now = new Date()): Promise<number> {
    this.running ??= this.pass(now).finally(() => (this.running = null));
    return this.running;
  }

  start(everyMs: number): void {
    this.timer = setInterval(
      () => void this.runOnce().catch((err) => log.warn({ err: (err as Error).message }, 'SMS outbox run failed')),
      everyMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.o.sender.close();
  }

  private async pass(now: Date): Promise<number> {
    await this.pool.query(
      `UPDATE sms_outbox SET state = 'failed', done_at = now(),
              error = 'interrupted while sending: not sent again, so that it never arrives twice'
        WHERE state = 'sending' AND claimed_at < now() - $1 * interval '1 millisecond'`,
      [this.o.interruptedAfterMs],
    );
    // quiet hours in the city's own time, daylight saving included
    const { zone } = await getCityRules(this.pool);
    const claimed = await this.claim(isQuiet(this.o.quietHours, now, offsetAt(now.getTime(), zone)));
    await Promise.all(claimed.map((m) => this.deliver(m)));
    return claimed.length;
  }

  private async claim(quiet: boolean): Promise<Claimed[]> {
    const { rows } = await this.pool.query<Claimed>(
      `WITH claimed AS (
         UPDATE sms_outbox o SET state = 'sending', claimed_at = now(), attempts = attempts + 1
          WHERE o.state = 'pending' AND o.id IN (
                SELECT id FROM sms_outbox
                 WHERE state = 'pending' AND next_attempt_at <= now() AND (urgent OR NOT $1::boolean)
                 ORDER BY urgent DESC, id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING o.id, o.kind, o.phone, o.lang, o.status_to, o.attempts, o.incident_id, o.token_id)
       SELECT c.id, c.kind, c.phone, c.lang, c.status_to, c.attempts, i.number, t.nonce,
              (t.used_at IS NULL AND t.expires_at > now()) AS link_live
         FROM claimed c JOIN incidents i ON i.id = c.incident_id LEFT JOIN incident_feedback_tokens t ON t.id = c.token_id
        ORDER BY c.id`,
      [quiet, this.o.batch],
    );
    return rows;
  }

  private text(m: Claimed): string | null {
    const lang = smsLang(m.lang);
    if (m.kind === 'registered') return smsText(lang, { kind: 'registered', number: m.number });
    if (m.kind === 'status') return smsText(lang, { kind: 'status', number: m.number, status: m.status_to! });
    if (!m.nonce || !m.link_live) return null;
    return smsText(lang, { kind: 'resolved', number: m.number, link: `${this.o.publicUrl}/feedback/${tokenFor(this.o.linkKey, m.nonce)}` });
  }

  private async deliver(m: Claimed): Promise<void> {
    const text = this.text(m);
    if (text === null) return this.finish(m.id, 'cancelled', 'the feedback link was used or has ended');
    const to = smsAddress(m.phone);
    if (!to) return this.finish(m.id, 'failed', 'not a mobile number');
    try {
      const accepted = await this.o.sender.send({ id: m.id, to, text });
      await this.sent(m.id, countSegments(text).segments, accepted.providerIds);
    } catch (err) {
      const e = err instanceof SmsSendError ? err : new SmsSendError((err as Error).message, false);
      if (e.retry && m.attempts < this.o.maxAttempts) return this.later(m, e.message);
      await this.finish(m.id, 'failed', e.message);
    }
  }

  private async finish(id: number, state: 'failed' | 'cancelled', error: string): Promise<void> {
    await this.pool.query(`UPDATE sms_outbox SET state = $2, done_at = now(), error = $3 WHERE id = $1 AND state = 'sending'`, [
      id,
      state,
      error.slice(0, 500),
    ]);
  }

  private async later(m: Claimed, error: string): Promise<void> {
    const wait = Math.min(this.o.retryBaseMs * 2 ** (m.attempts - 1), MAX_RETRY_MS);
    await this.pool.query(
      `UPDATE sms_outbox SET state = 'pending', next_attempt_at = now() + $2 * interval '1 millisecond', error = $3
        WHERE id = $1 AND state = 'sending'`,
      [m.id, wait, error.slice(0, 500)],
    );
  }

  private async sent(id: number, segments: number, providerIds: string[]): Promise<void> {
    await this.pool.query(`UPDATE sms_outbox SET state = 'sent', sent_at = now(), segments = $2, error = NULL WHERE id = $1`, [
      id,
      segments,
    ]);
    const ids = providerIds.filter(Boolean);
    if (!ids.length) return;
    await this.pool.query(
      `INSERT INTO sms_parts (outbox_id, part, provider_id) SELECT $1, u.ord, u.pid FROM unnest($2::text[]) WITH ORDINALITY u(pid, ord)`,
      [id, ids],
    );
  }

  /**
   * Records a delivery receipt; true when it named a part this outbox sent. The SMSC may answer
   * faster than the message is recorded as sent: a receipt naming no part is looked for again
   * a few times over ten seconds.
   */
  async receipt(r: SmsReceipt, tries = 1): Promise<boolean> {
    const parts = await this.pool.query<{ outbox_id: number }>(
      `UPDATE sms_parts SET state = $2 WHERE provider_id = $1 AND state = 'sent' RETURNING outbox_id`,
      [r.providerId, r.delivered ? 'delivered' : 'undelivered'],
    );
    if (!parts.rowCount) {
      if (tries < RECEIPT_TRIES && !this.stopped) {
        const again = () =>
          void this.receipt(r, tries + 1).catch((err) => log.warn({ err: (err as Error).message }, 'SMS receipt not recorded'));
        setTimeout(() => this.stopped || again(), RECEIPT_RETRY_MS).unref();
      }
      return false;
    }
    // Delivered when every part is; undelivered as soon as one part is not.
    await this.pool.query(
      `UPDATE sms_outbox o SET state = CASE WHEN p.bad THEN 'undelivered' ELSE 'delivered' END, done_at = now(),
              error = CASE WHEN p.bad THEN $2 ELSE NULL END
         FROM (SELECT outbox_id, bool_or(state = 'undelivered') AS bad, bool_and(state = 'delivered') AS good
                 FROM sms_parts WHERE outbox_id = ANY($1::bigint[]) GROUP BY outbox_id) p
        WHERE o.id = p.outbox_id AND o.state = 'sent' AND (p.bad OR p.good)`,
      [parts.rows.map((p) => p.outbox_id), `receipt: ${r.state}`],
    );
    return true;
  }
}
