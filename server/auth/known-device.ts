import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A browser that has signed in to a login before carries a signed cookie naming that login
 * (device cookies, as OWASP advises against lockout by others). A sign-in from such a browser is
 * not held back by the login's per-minute budget: a flood of guesses from elsewhere slows the
 * guessers, not the person at their usual desk. The pair and address locks still apply to it.
 */
export const DEVICE_COOKIE = 'jardem_device';
export const DEVICE_COOKIE_DAYS = 180;

const mac = (key: Buffer, login: string, nonce: string) =>
  createHmac('sha256', key).update(`device\u0000${login.toLowerCase()}\u0000${nonce}`).digest('base64url');

/** A new cookie value for `login`: a random nonce and its signature. */
export function deviceCookieFor(key: Buffer, login: string): string {
  const nonce = randomBytes(12).toString('base64url');
  return `${nonce}.${mac(key, login, nonce)}`;
}

/** Whether the cookie was issued by this server for `login`. */
export function isKnownDevice(key: Buffer, login: string, cookie: string | undefined): boolean {
  if (!cookie || cookie.length > 200) return false;
  const [nonce, sig] = cookie.split('.');
  if (!nonce || !sig) return false;
  const want = Buffer.from(mac(key, login, nonce));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}
