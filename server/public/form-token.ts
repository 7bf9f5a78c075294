import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The feedback page's form token: a page served for a link carries, in a hidden field, the time
 * it was served and an HMAC of (link, time) under the feedback-link key. A post is taken only
 * with a token this server issued for this very link within FORM_TOKEN_HOURS, so a form on
 * another site cannot post for a citizen even if it knew the link (the page is anonymous: there
 * is no session to bind a CSRF token to).
 */

/** How long a served page's form stays usable (hours). */
export const FORM_TOKEN_HOURS = 24;

const mac = (key: Buffer, link: string, issuedS: number) =>
  createHmac('sha256', key).update(`feedback-form|${link}|${issuedS}`).digest('base64url');

/** A token for the page of `link`, served at `now` (ms since the epoch). */
export function issueFormToken(key: Buffer, link: string, now = Date.now()): string {
  const issued = Math.floor(now / 1000);
  return `${issued.toString(36)}.${mac(key, link, issued)}`;
}

/** Whether `token` was issued by issueFormToken for `link` and is at most FORM_TOKEN_HOURS old. */
export function checkFormToken(key: Buffer, link: string, token: unknown, now = Date.now()): boolean {
  if (typeof token !== 'string' || token.length > 100) return false;
  const [time, sig] = token.split('.');
  if (!time || !sig || !/^[0-9a-z]{1,10}$/.test(time)) return false;
  const issued = parseInt(time, 36);
  const age = now / 1000 - issued;
  if (age < -60 || age > FORM_TOKEN_HOURS * 3600) return false;
  const want = Buffer.from(mac(key, link, issued));
  const got = Buffer.from(sig);
  return got.length === want.length && timingSafeEqual(got, want);
}
