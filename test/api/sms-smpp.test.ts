import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsReceipt } from '../../server/sms/sender.ts';
import { applySmsSettings, createSmsOutbox } from '../../server/sms/setup.ts';
import { SmppSender } from '../../server/sms/smpp.ts';
import { testApp } from '../helpers/app.ts';
import { startFakeSmsc } from '../helpers/fake-smsc.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const smsc = await startFakeSmsc();
const t = testApp({ SMS_QUIET_HOURS: 'off', JARDEM_PUBLIC_URL: 'https://109.example.kz' });
const { kit, create, must } = lifecycleKit(t, 96);
const THROTTLE_MS = 300;
const sender = new SmppSender({
  url: smsc.url,
  systemId: 'jardem',
  password: 'secret',
  sender: 'Akimat109',
  window: 4,
  ratePerSecond: 50,
  enquireLinkMs: 5_000,
  responseTimeoutMs: 5_000,
  reconnectMs: 100,
  throttleBackoffMs: THROTTLE_MS,
  throttleRetries: 3,
  bindWaitMs: 5_000,
});
const outbox = createSmsOutbox(t.config, t.pool, sender);
const receipts: SmsReceipt[] = [];
sender.onReceipt((r) => receipts.push(r));

beforeAll(() => applySmsSettings(t.pool, { enabled: true, statusChanges: false }));
afterAll(async () => {
  await applySmsSettings(t.pool, { enabled: false, statusChanges: false });
  await outbox.stop();
  await smsc.close();
});

const rowOf = async (id: number) => (await t.pool.query('SELECT * FROM sms_outbox WHERE incident_id = $1', [id])).rows[0];
/** Polls until `check` holds (receipts and reconnects arrive on their own time). */
async function until(check: () => Promise<boolean> | boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SMS over SMPP 3.4 (the smpp library on both ends)', { timeout: 60_000 }, () => {
  it('binds as a transceiver and submits in UCS-2; the delivery receipt marks the SMS delivered', async () => {
    await until(() => smsc.state.binds === 1);
    const a = await create({ reporter: { phone: '+7 701 111 22 33', lang: 'ru' } });
    const before = smsc.submitted.length;
    await outbox.runOnce();
    const [s] = smsc.submitted.slice(before);
    expect(s.pdu).toMatchObject({
      destination_addr: '77011112233',
      dest_addr_ton: 1,
      source_addr: 'Akimat109',
      source_addr_ton: 5,
      registered_delivery: 1,
      data_coding: 0x08,
    });
    expect(s.text).toBe(`Центр 109: обращение ${a.number} зарегистрировано.`);
    expect(s.udh).toBeNull();
    await until(async () => (await rowOf(a.id)).state === 'delivered');
    const row = await rowOf(a.id);
    expect(row.done_at).not.toBeNull();
    expect(receipts.at(-1)).toMatchObject({ delivered: true, state: 'DELIVRD' });
  });

  it('sends a long text as concatenated parts; delivered once every part is', async () => {
    const before = smsc.submitted.length;
    const text = 'Ж'.repeat(100) + 'abc';
    const accepted = await sender.send({ id: 0, to: '77011112233', text });
    const parts = smsc.submitted.slice(before);
    expect(parts).toHaveLength(2);
    expect(accepted.providerIds).toHaveLength(2);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    const [h1, h2] = parts.map((p) => p.udh!);
    // IEI 0 (8-bit reference), same reference, 2 parts, numbered 1 and 2.
    expect([...h1]).toEqual([0x00, 0x03, h1[2], 2, 1]);
    expect([...h2]).toEqual([0x00, 0x03, h1[2], 2, 2]);
    for (const p of parts) expect(p.pdu.data_coding).toBe(0x08);
    // A GSM-7 text goes with the SMSC's default alphabet.
    const latin = smsc.submitted.length;
    await sender.send({ id: 0, to: '77011112233', text: 'Hello {109}' });
    expect(smsc.submitted[latin].pdu.data_coding).toBe(0x00);
    expect(smsc.submitted[latin].text).toBe('Hello {109}');
  });

  it('marks a text of several parts delivered only when the receipts of all of them are in', async () => {
    smsc.state.receipt = null;
    try {
      const a = await create({ reporter: { phone: '+7 701 111 22 44' }, triage: true });
      await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
      await must(a.id, 'admin', { to: 'in_progress' });
      await must(a.id, 'admin', { to: 'resolved', note: 'Сделано' });
      await outbox.runOnce();
      const link = (await t.pool.query(`SELECT * FROM sms_outbox WHERE incident_id = $1 AND kind = 'resolved'`, [a.id])).rows[0];
      expect(link).toMatchObject({ state: 'sent', segments: 2 });
      const parts = (await t.pool.query('SELECT provider_id FROM sms_parts WHERE outbox_id = $1 ORDER BY part', [link.id])).rows;
      expect(parts).toHaveLength(2);
      const stateOf = async () => (await t.pool.query('SELECT state FROM sms_outbox WHERE id = $1', [link.id])).rows[0].state;
      expect(await outbox.receipt({ providerId: parts[0].provider_id, delivered: true, state: 'DELIVRD' })).toBe(true);
      expect(await stateOf()).toBe('sent');
      await outbox.receipt({ providerId: parts[1].provider_id, delivered: true, state: 'DELIVRD' });
      expect(await stateOf()).toBe('delivered');
    } finally {
      smsc.state.receipt = 'DELIVRD';
    }
  });

  it('keeps to the window and the rate', async () => {
    // A slow SMSC (200 ms per answer) and 12 messages at once: never more than 4 waiting, and
    // 50 submits a second at most (12 take at least 220 ms).
    smsc.state.delayMs = 200;
    smsc.state.mostWaiting = 0;
    try {
      const before = smsc.submitted.length;
      const started = Date.now();
      const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => sender.send({ id: 0, to: '77011112233', text: `window ${i}` })));
      expect(sent.every((s) => s.providerIds.length === 1)).toBe(true);
      expect(smsc.state.mostWaiting).toBe(4);
      const at = smsc.submitted.slice(before).map((s) => s.at);
      expect(at.at(-1)! - at[0]).toBeGreaterThanOrEqual(220 - 20);
      // Three rounds of 4 waiting 200 ms each.
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 200);
    } finally {
      smsc.state.delayMs = 0;
    }
  });

  it('an undelivered receipt marks the SMS undelivered', async () => {
    smsc.state.receipt = 'UNDELIV';
    try {
      const a = await create();
      await outbox.runOnce();
      await until(async () => (await rowOf(a.id)).state === 'undelivered');
      expect((await rowOf(a.id)).error).toBe('receipt: UNDELIV');
    } finally {
      smsc.state.receipt = 'DELIVRD';
    }
  });

  it('backs off on ESME_RTHROTTLED and submits again', async () => {
    smsc.state.throttle = 2;
    const a = await create();
    const before = smsc.submitted.length;
    await outbox.runOnce();
    const tries = smsc.submitted.slice(before);
    expect(tries).toHaveLength(3);
    // The pause doubles: 300 ms, then 600 ms.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(THROTTLE_MS - 20);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(2 * THROTTLE_MS - 20);
    expect((await rowOf(a.id)).state).toMatch(/^(sent|delivered)$/);
    expect((await rowOf(a.id)).attempts).toBe(1);
  });

  it('gives a message back to the outbox when the SMSC keeps throttling', async () => {
    smsc.state.throttle = 10;
    try {
      const a = await create();
      await outbox.runOnce();
      const row = await rowOf(a.id);
      expect(row).toMatchObject({ state: 'pending', attempts: 1, error: 'the SMSC keeps throttling' });
    } finally {
      smsc.state.throttle = 0;
    }
  });

  it('reconnects and binds again after the SMSC drops the link', async () => {
    await t.pool.query(`UPDATE sms_outbox SET next_attempt_at = now() WHERE state = 'pending'`);
    await outbox.runOnce();
    const binds = smsc.state.binds;
    smsc.dropLinks();
    await until(() => smsc.state.binds === binds + 1);
    const a = await create();
    await outbox.runOnce();
    await until(async () => (await rowOf(a.id)).state === 'delivered');
    expect(sender.binds).toBe(binds + 1);
  });

  it('waits out an SMSC that is down: the message stays queued and goes once it is back', async () => {
    const down = new SmppSender({
      url: 'smpp://127.0.0.1:1',
      systemId: 'jardem',
      password: 'secret',
      sender: '109',
      window: 1,
      ratePerSecond: 10,
      enquireLinkMs: 5_000,
      responseTimeoutMs: 1_000,
      reconnectMs: 50,
      throttleBackoffMs: 50,
      throttleRetries: 1,
      bindWaitMs: 200,
    });
    try {
      await expect(down.send({ id: 1, to: '77011112233', text: 'x' })).rejects.toMatchObject({ retry: true });
    } finally {
      await down.close();
    }
  });
});
