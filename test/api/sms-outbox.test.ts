import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SmsOutbox } from '../../server/sms/outbox.ts';
import { parseQuietHours } from '../../server/sms/quiet.ts';
import { applySmsSettings, createSmsOutbox, createSmsSender } from '../../server/sms/setup.ts';
import { testApp } from '../helpers/app.ts';
import { startFakeSmsGateway } from '../helpers/fake-sms-gateway.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const gw = await startFakeSmsGateway();
afterAll(() => gw.close());
const t = testApp({
  SMS_PROVIDER: 'http',
  SMS_HTTP_URL: gw.url,
  SMS_HTTP_TOKEN: 'gateway-token-123',
  SMS_QUIET_HOURS: 'off',
  JARDEM_PUBLIC_URL: 'https://109.example.kz',
});
const { kit, create, must, count, post, version } = lifecycleKit(t, 95);
const sender = createSmsSender(t.config)!;
const outbox = createSmsOutbox(t.config, t.pool, sender);

beforeAll(() => applySmsSettings(t.pool, { enabled: true, statusChanges: false }));
// The shared test database goes back to sending nothing.
afterAll(() => applySmsSettings(t.pool, { enabled: false, statusChanges: false }));

/** The outbox rows of an appeal. */
const rowsOf = async (id: number) =>
  (await t.pool.query('SELECT * FROM sms_outbox WHERE incident_id = $1 ORDER BY id', [id])).rows as Record<string, any>[];
/** Makes every waiting message due now (as if its back-off had passed). */
const dueNow = () => t.pool.query(`UPDATE sms_outbox SET next_attempt_at = now() WHERE state = 'pending'`);
const callsFor = (id: number) => gw.calls.filter((c) => c.body.reference === String(id));

// Earlier messages of other tests of this file must not be counted as this test's.
beforeEach(async () => {
  await outbox.runOnce();
});

describe('the SMS outbox (HTTP gateway)', { timeout: 60_000 }, () => {
  it('queues the registration number with the appeal and sends it once, in the caller language', async () => {
    const a = await create({ reporter: { name: 'Айгүл', phone: '8 (701) 555-12-34', lang: 'kk' } });
    // Written in the intake's transaction: there before anything was sent.
    const [queued] = await rowsOf(a.id);
    expect(queued).toMatchObject({ kind: 'registered', state: 'pending', lang: 'kk', urgent: true, attempts: 0 });
    expect(await outbox.runOnce()).toBeGreaterThanOrEqual(1);
    const calls = callsFor(queued.id);
    expect(calls).toHaveLength(1);
    expect(calls[0].headers.authorization).toBe('Bearer gateway-token-123');
    expect(calls[0].body).toMatchObject({
      to: '77015551234',
      text: `109 орталығы: өтініш ${a.number} тіркелді.`,
      sender: '109',
      encoding: 'ucs2',
      segments: 1,
    });
    const [sent] = await rowsOf(a.id);
    expect(sent).toMatchObject({ state: 'sent', attempts: 1, segments: 1, error: null });
    expect(await count('SELECT count(*)::int AS n FROM sms_parts WHERE outbox_id = $1', [queued.id])).toBe(1);
    // Never twice.
    await outbox.runOnce();
    expect(callsFor(queued.id)).toHaveLength(1);
  });

  it('texts only phone and walk-in callers with a phone, and only while a provider is configured', async () => {
    const walkIn = await create({ channel: 'walk_in' });
    const web = await create({ channel: 'web' });
    const noPhone = await create({ reporter: { name: 'Без телефона' } });
    const answered = await create({ type: 'information_request', category: 'roads.pothole', answered: true });
    expect((await rowsOf(walkIn.id)).map((r) => r.lang)).toEqual(['ru']);
    for (const a of [web, noPhone, answered]) expect(await rowsOf(a.id)).toEqual([]);
    await applySmsSettings(t.pool, { enabled: false, statusChanges: false });
    try {
      expect(await rowsOf((await create()).id)).toEqual([]);
    } finally {
      await applySmsSettings(t.pool, { enabled: true, statusChanges: false });
    }
  });

  it('does not hold intake up when the gateway is down; retries with back-off; a refusal is final', async () => {
    gw.answer(503, 503);
    const started = Date.now();
    const a = await create();
    expect(Date.now() - started).toBeLessThan(5_000);
    const [row] = await rowsOf(a.id);
    await outbox.runOnce();
    let [r] = await rowsOf(a.id);
    expect(r).toMatchObject({ state: 'pending', attempts: 1, error: 'SMS gateway answered 503' });
    // The first retry waits SMS_RETRY_SECONDS (30 s by default), the second twice that.
    const wait = (x: any) => new Date(x.next_attempt_at).getTime() - new Date(x.claimed_at).getTime();
    expect(wait(r)).toBeGreaterThanOrEqual(29_000);
    await outbox.runOnce();
    expect(callsFor(row.id)).toHaveLength(1);
    await dueNow();
    await outbox.runOnce();
    [r] = await rowsOf(a.id);
    expect(r).toMatchObject({ state: 'pending', attempts: 2 });
    expect(wait(r)).toBeGreaterThanOrEqual(59_000);
    await dueNow();
    await outbox.runOnce();
    [r] = await rowsOf(a.id);
    expect(r).toMatchObject({ state: 'sent', attempts: 3, error: null });
    expect(callsFor(row.id)).toHaveLength(3);

    gw.answer(400);
    const b = await create();
    await outbox.runOnce();
    const [refused] = await rowsOf(b.id);
    expect(refused.state).toBe('failed');
    expect(refused.error).toMatch(/refused the message: 400/);
    await dueNow();
    await outbox.runOnce();
    expect(callsFor(refused.id)).toHaveLength(1);
  });

  it('texts the feedback link on resolution, outside the quiet hours only', async () => {
    const a = await create({ reporter: { name: 'Марат', phone: '+7 702 000 11 22' } });
    await outbox.runOnce();
    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'admin', { to: 'in_progress' });
    await must(a.id, 'admin', { to: 'resolved', note: 'Яма заделана' });
    const link = (await rowsOf(a.id)).find((r) => r.kind === 'resolved')!;
    expect(link).toMatchObject({ state: 'pending', urgent: false });
    expect(link.token_id).not.toBeNull();

    // All day quiet: the link waits, a registration (urgent) still goes.
    const quiet = new SmsOutbox(t.pool, {
      sender,
      linkKey: Buffer.from('unused'),
      publicUrl: 'https://109.example.kz',
      quietHours: parseQuietHours('00:00-23:59'),
      maxAttempts: 3,
      retryBaseMs: 1000,
      batch: 50,
      interruptedAfterMs: 600_000,
    });
    const other = await create();
    await quiet.runOnce(new Date(Date.UTC(2026, 11, 3, 12, 0)));
    expect((await rowsOf(other.id))[0].state).toBe('sent');
    expect((await rowsOf(a.id)).find((r) => r.kind === 'resolved')!.state).toBe('pending');

    await outbox.runOnce();
    const [call] = callsFor(link.id);
    const url = /https:\/\/109\.example\.kz\/feedback\/([A-Za-z0-9_-]{43})$/.exec(call.body.text);
    expect(call.body.text).toContain(`Обращение ${a.number} выполнено`);
    expect(url).not.toBeNull();
    // The link in the SMS opens the citizen's feedback.
    expect((await t.request(`/api/feedback/${url![1]}`)).status).toBe(200);
    expect(call.body.segments).toBe(2);
  });

  it('two outboxes running at once send each message once', async () => {
    const made = await Promise.all([1, 2, 3, 4, 5, 6].map(() => create()));
    const second = createSmsOutbox(t.config, t.pool, createSmsSender(t.config)!);
    await Promise.all([outbox.runOnce(), second.runOnce(), second.runOnce()]);
    await Promise.all([outbox.runOnce(), second.runOnce()]);
    for (const a of made) {
      const [r] = await rowsOf(a.id);
      expect(r.state).toBe('sent');
      expect(callsFor(r.id)).toHaveLength(1);
    }
  });

  it('gives up a message cut off mid-send by a stop instead of sending it again', async () => {
    const a = await create();
    await t.pool.query(`UPDATE sms_outbox SET state = 'sending', claimed_at = now() - interval '1 hour' WHERE incident_id = $1`, [a.id]);
    const [row] = await rowsOf(a.id);
    await outbox.runOnce();
    const [r] = await rowsOf(a.id);
    expect(r.state).toBe('failed');
    expect(r.error).toMatch(/interrupted/);
    expect(callsFor(row.id)).toHaveLength(0);
  });

  it('texts status changes when configured', async () => {
    await applySmsSettings(t.pool, { enabled: true, statusChanges: true });
    try {
      // Assigned at intake (issue 18): the caller has the "registered" text, no second one for the assignment.
      const atIntake = await create({ reporter: { phone: '+7 705 123 45 68', lang: 'kk' } });
      expect(atIntake.status).toBe('assigned');
      expect((await rowsOf(atIntake.id)).map((r) => r.kind)).toEqual(['registered']);
      const a = await create({ reporter: { phone: '+7 705 123 45 67', lang: 'kk' }, triage: true });
      await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
      await must(a.id, 'admin', { to: 'in_progress' });
      const status = (await rowsOf(a.id)).filter((r) => r.kind === 'status');
      expect(status.map((r) => r.status_to)).toEqual(['assigned', 'in_progress']);
      await outbox.runOnce();
      expect(callsFor(status[1].id)[0].body.text).toBe(`${a.number} өтініші: жұмыста.`);
      // Merged into another appeal is not "rejected" for the caller.
      const dup = await create();
      const merged = await post(`/api/incidents/${dup.id}/merge`, { into: a.id, version: await version(dup.id) }, kit.cookie.dispatcher);
      expect(merged.status).toBe(200);
      expect((await rowsOf(dup.id)).map((r) => r.kind)).toEqual(['registered']);
      await must(a.id, 'admin', { to: 'rejected', reason: 'spam' });
      expect((await rowsOf(a.id)).filter((r) => r.kind === 'status').map((r) => r.status_to)).toEqual([
        'assigned',
        'in_progress',
        'rejected',
        'rejected',
      ]);
    } finally {
      await applySmsSettings(t.pool, { enabled: true, statusChanges: false });
    }
    const b = await create();
    await must(b.id, 'admin', { to: 'assigned', service: kit.executorService });
    expect((await rowsOf(b.id)).map((r) => r.kind)).toEqual(['registered']);
  });

  it('shows the SMS and their state on the appeal to staff with personal-data rights only', async () => {
    const a = await create({ reporter: { name: 'Ержан', phone: '+7 707 765 43 21' } });
    await outbox.runOnce();
    const staff = await t.json(`/api/incidents/${a.id}`, { headers: { cookie: kit.cookie.dispatcher } });
    expect(staff.body.sms).toHaveLength(1);
    expect(staff.body.sms[0]).toMatchObject({ kind: 'registered', state: 'sent', phone: '+7 707 765 43 21', segments: 1 });
    for (const cookie of [undefined, kit.cookie.official, kit.cookie.display]) {
      const res = await t.request(`/api/incidents/${a.id}`, { headers: cookie ? { cookie } : {} });
      const text = await res.text();
      expect(JSON.parse(text).sms).toBeUndefined();
      expect(text).not.toContain('765 43 21');
    }
    const pub = await t.request(`/api/public/incidents/${a.number}?phone4=4321`);
    expect(pub.status).toBe(200);
    // No trace of the number in any spacing (a bare '765' could be a millisecond in a timestamp).
    expect(await pub.text()).not.toMatch(/765\D?43\D?21|707\D?765/);
  });
});
