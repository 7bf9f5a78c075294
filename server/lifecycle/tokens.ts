import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { log } from '../log.ts';
import type { Db } from './duplicates.ts';

/**
 * Feedback links: one per reporter of a resolved appeal, to rate it or dispute it without
 * signing in. A token is HMAC-SHA256(key, nonce) in base64url (43 characters); the database
 * keeps the nonce and a SHA-256 of the token, so staff can be shown a link again and the SMS
 * outbox can text it (server/sms/outbox.ts) while a copy of the database alone opens nothing.
 */

/** Days a citizen has to dispute a resolution; after them it closes by itself. */
export const FEEDBACK_DAYS = 15;

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let randomKey: Buffer | undefined;

/**
 * The key of feedback links: JARDEM_SECRET; in demo mode without it a fixed demo key; otherwise
 * a random key for this process (links shown to staff then change after a restart, and several
 * instances would disagree; links already given out keep working, since lookup is by hash).
 */
export function linkKey(config: Pick<Config, 'JARDEM_SECRET' | 'JARDEM_DEMO'>): Buffer {
  if (config.JARDEM_SECRET) return Buffer.from(config.JARDEM_SECRET, 'utf8');
  if (config.JARDEM_DEMO) return createHash('sha256').update('jardem-demo-feedback-links').digest();
  if (!randomKey) {
    randomKey = randomBytes(32);
    log.warn('JARDEM_SECRET is not set: feedback links shown to staff will change after a restart');
  }
  return randomKey;
}

export const tokenFor = (key: Buffer, nonce: string) => createHmac('sha256', key).update(nonce).digest('base64url');

/**
 * Issues a link, valid until `expiresAt`, to every reporter of the appeal and of the duplicates
 * merged into it who has no live link yet. One person who called twice (same phone) gets one.
 */
export async function issueFeedbackTokens(db: Db, incidentId: number, key: Buffer, expiresAt: Date): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT DISTINCT ON (coalesce(r.phone, r.id::text)) r.id
       FROM incident_reporters r
      WHERE (r.incident_id = $1 OR r.incident_id IN (SELECT id FROM incidents WHERE parent_id = $1))
        AND NOT EXISTS (SELECT 1 FROM incident_feedback_tokens t
                         WHERE t.incident_id = $1 AND t.reporter_id = r.id AND t.used_at IS NULL AND t.expires_at > now())
      ORDER BY coalesce(r.phone, r.id::text), r.id`,
    [incidentId],
  );
  if (!rows.length) return 0;
  const nonces = rows.map(() => randomBytes(16).toString('base64url'));
  await db.query(
    `INSERT INTO incident_feedback_tokens (token_hash, nonce, incident_id, reporter_id, expires_at)
     SELECT h, n, $1, r, $2 FROM unnest($3::text[], $4::text[], $5::bigint[]) AS u(h, n, r)`,
    [incidentId, expiresAt, nonces.map((n) => sha256(tokenFor(key, n))), nonces, rows.map((r) => r.id)],
  );
  return rows.length;
}

/** Ends every unused link of an appeal (it was reopened or rejected: the question changed). */
export async function revokeFeedbackTokens(db: Db, incidentId: number): Promise<void> {
  await db.query(
    'UPDATE incident_feedback_tokens SET expires_at = now() WHERE incident_id = $1 AND used_at IS NULL AND expires_at > now()',
    [incidentId],
  );
}

export interface FeedbackLink {
  reporter_id: number | null;
  /** Path of the citizen's page (the client will serve it) and of the API behind it; null when issued under another key. */
  url: string | null;
  api: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** The links of an appeal as staff see them (to read out or send by SMS by hand). */
export async function listFeedbackLinks(db: Db, incidentId: number, key: Buffer): Promise<FeedbackLink[]> {
  const { rows } = await db.query<{
    reporter_id: number | null;
    nonce: string;
    token_hash: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  }>(
    `SELECT reporter_id, nonce, token_hash, created_at, expires_at, used_at
       FROM incident_feedback_tokens WHERE incident_id = $1 ORDER BY id`,
    [incidentId],
  );
  return rows.map(({ nonce, token_hash, ...r }) => {
    const token = tokenFor(key, nonce);
    const ok = sha256(token) === token_hash;
    return { ...r, url: ok ? `/feedback/${token}` : null, api: ok ? `/api/feedback/${token}` : null };
  });
}
