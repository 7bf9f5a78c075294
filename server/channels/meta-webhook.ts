import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { AppError, badRequest } from '../errors.ts';
import type { WebhookRequest } from './adapter.ts';

/**
 * What WhatsApp and Messenger webhooks share, both being Meta apps: the GET verification
 * handshake and the `X-Hub-Signature-256` HMAC of the raw body under the app secret.
 */

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The GET handshake: the challenge when the mode is `subscribe` and the verify token is right, else null. */
export function hubChallenge(verifyToken: string, mode?: string, token?: string, challenge?: string): string | null {
  if (mode !== 'subscribe' || !token || !challenge) return null;
  return same(token, verifyToken) ? challenge : null;
}

/** Throws 401 without `X-Hub-Signature-256`, 403 when it is not `sha256=` + the hex HMAC of the raw body. */
export function checkHubSignature(req: WebhookRequest, appSecret: string): void {
  const got = req.headers.get('x-hub-signature-256');
  if (!got) throw new AppError(401, 'unauthorized', 'The X-Hub-Signature-256 header is missing.');
  const want = `sha256=${createHmac('sha256', appSecret).update(req.rawBody, 'utf8').digest('hex')}`;
  if (!same(got, want)) throw new AppError(403, 'forbidden', 'The payload signature does not match.');
}

/** An adapter that answers Meta's GET verification handshake. */
export interface HandshakeAdapter {
  challenge(mode?: string, token?: string, challenge?: string): string | null;
}

export const hasHandshake = (a: unknown): a is HandshakeAdapter => typeof (a as HandshakeAdapter | undefined)?.challenge === 'function';

/**
 * The part of a Meta app's adapter that does not depend on the app: the handshake, the signature
 * and reading a webhook body against its schema (400 with the schema's complaints otherwise).
 */
export abstract class MetaWebhookAdapter<O extends { verifyToken: string; appSecret: string }> implements HandshakeAdapter {
  constructor(protected readonly o: O) {}

  /** The GET handshake: the challenge when the mode and the verify token are right, else null. */
  challenge(mode?: string, token?: string, challenge?: string): string | null {
    return hubChallenge(this.o.verifyToken, mode, token, challenge);
  }

  verify(req: WebhookRequest): void {
    checkHubSignature(req, this.o.appSecret);
  }

  protected read<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const r = schema.safeParse(body);
    if (!r.success)
      throw badRequest(
        `Not a ${what}.`,
        r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    return r.data;
  }
}
