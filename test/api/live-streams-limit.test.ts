/**
 * Issue 15: thousands of anonymous live streams from a few addresses made the server format
 * every event onto each of them, and normal reads waited. An address holds a bounded number of
 * anonymous streams; the next is a 429 with Retry-After, a closed stream frees its place, and
 * signed-in screens are not counted.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ANONYMOUS_STREAMS_PER_ADDRESS } from '../../server/live/routes.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp({ JARDEM_TRUST_PROXY: 'true' });
const open = (address: string, cookie?: string) =>
  Promise.resolve(t.request('/api/live', { headers: { 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) } }));

describe('anonymous live streams per address', () => {
  it('are bounded; a closed stream frees its place; other addresses and signed-in screens are not held back', async () => {
    const held: Response[] = [];
    for (let i = 0; i < MAX_ANONYMOUS_STREAMS_PER_ADDRESS; i++) {
      const res = await open('198.51.100.40');
      expect(res.status).toBe(200);
      held.push(res);
    }
    const refused = await open('198.51.100.40');
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.code).toBe('too_many_streams');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const elsewhere = await open('198.51.100.41');
    expect(elsewhere.status).toBe(200);
    const cookie = await t.login('official');
    const signedIn = await open('198.51.100.40', cookie);
    expect(signedIn.status).toBe(200);

    await held.pop()!.body!.cancel();
    await expect
      .poll(async () => {
        const res = await open('198.51.100.40');
        if (res.status === 200) held.push(res);
        return res.status;
      })
      .toBe(200);
    for (const r of [...held, elsewhere, signedIn]) await r.body?.cancel();
  });
});
