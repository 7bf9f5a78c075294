import { randomInt } from 'node:crypto';
import smpp, { type PDU, type Session } from 'smpp';
import { log } from '../log.ts';
import { parseReceipt } from './receipt.ts';
import { encodingOf, splitSegments } from './segments.ts';
import { type SmsAccepted, type SmsMessage, type SmsReceipt, type SmsSender, SmsSendError } from './sender.ts';

export interface SmppOptions {
  /** smpp://host:2775 (ssmpp:// for TLS). */
  url: string;
  systemId: string;
  password: string;
  systemType?: string;
  /** source_addr: an alphanumeric name ("Akimat109") or a number. */
  sender: string;
  /** Most submit_sm waiting for their answer at once (the SMSC's window). */
  window: number;
  /** Most submit_sm per second (the SMSC's contracted rate). */
  ratePerSecond: number;
  /** enquire_link period (ms) that keeps the link alive and finds a dead one. */
  enquireLinkMs: number;
  /** How long a submit_sm waits for its answer (ms); after it the message counts as possibly sent. */
  responseTimeoutMs: number;
  /** First wait before reconnecting (ms); it doubles up to 30 s while the SMSC stays away. */
  reconnectMs: number;
  /** First pause after ESME_RTHROTTLED or ESME_RMSGQFUL (ms); it doubles on each repeat. */
  throttleBackoffMs: number;
  /** Throttled answers to one part before giving it back to the outbox for later. */
  throttleRetries: number;
  /** How long a send waits for the link to be bound before giving up for now (ms). */
  bindWaitMs: number;
}

const DATA_CODING = { gsm7: 0x00, ucs2: 0x08 } as const;
/** esm_class bit of a deliver_sm that carries a delivery receipt. */
const RECEIPT_BIT = 0x04;
/** Error answers after which the same part may simply be tried again later. */
const TRANSIENT = new Set([smpp.ESME_RSYSERR, 0x64 /* ESME_RX_T_APPN */]);
const BUSY = new Set([smpp.ESME_RTHROTTLED, smpp.ESME_RMSGQFUL]);
const MAX_RECONNECT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** TON/NPI of the sender: a name is alphanumeric (5/0), a long number international (1/1), a short code network-specific (3/0). */
function sourceAddress(sender: string) {
  if (/\D/.test(sender)) return { source_addr_ton: 5, source_addr_npi: 0, source_addr: sender.slice(0, 11) };
  if (sender.length >= 10) return { source_addr_ton: 1, source_addr_npi: 1, source_addr: sender };
  return { source_addr_ton: 3, source_addr_npi: 0, source_addr: sender };
}

/**
 * An SMPP 3.4 transceiver link to an operator's SMS centre: binds once and keeps the link
 * (enquire_link), reconnects with back-off when the SMSC drops it, keeps to a window and a rate,
 * pauses on ESME_RTHROTTLED, and turns delivery receipts (deliver_sm) into SmsReceipts.
 */
export class SmppSender implements SmsSender {
  readonly name = 'smpp' as const;
  private session?: Session;
  private bound = false;
  private closing = false;
  private reconnectDelay: number;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private boundWaiters: (() => void)[] = [];
  private outstanding = 0;
  private windowWaiters: (() => void)[] = [];
  private nextSlot = 0;
  private pausedUntil = 0;
  private readonly pending = new Set<(err: SmsSendError) => void>();
  private readonly receiptHandlers: ((r: SmsReceipt) => void)[] = [];
  /** Successful binds so far (a reconnect adds one). */
  binds = 0;

  constructor(private readonly o: SmppOptions) {
    this.reconnectDelay = o.reconnectMs;
    this.connect();
  }

  private connect(): void {
    // No Nagle: each small PDU goes at once, so the rate is kept on the wire (and not bunched
    // behind the SMSC's delayed ACKs).
    const s = smpp.connect({ url: this.o.url, auto_enquire_link_period: this.o.enquireLinkMs, noDelay: true });
    this.session = s;
    s.on('connect', () => {
      s.bind_transceiver(
        { system_id: this.o.systemId, password: this.o.password, system_type: this.o.systemType ?? '', interface_version: 0x34 },
        (pdu) => {
          if (pdu.command_status !== 0) {
            log.warn({ status: pdu.command_status }, 'SMPP bind refused');
            return s.close();
          }
          this.bound = true;
          this.binds++;
          this.reconnectDelay = this.o.reconnectMs;
          for (const w of this.boundWaiters.splice(0)) w();
        },
      );
    });
    s.on('deliver_sm', (pdu) => this.onDeliver(s, pdu));
    s.on('enquire_link', (pdu) => s.send(pdu.response()));
    s.on('unbind', (pdu) => {
      s.send(pdu.response());
      s.close();
    });
    s.on('error', (err: Error) => log.warn({ err: err.message }, 'SMPP link error'));
    s.on('close', () => this.onClose(s));
  }

  private onClose(s: Session): void {
    if (this.session !== s) return;
    this.bound = false;
    this.session = undefined;
    // Parts waiting for an answer may or may not have reached the SMSC: not sent again.
    for (const fail of [...this.pending]) fail(new SmsSendError('the SMPP link dropped before the SMSC answered', false));
    if (this.closing) return;
    this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_MS);
  }

  private onDeliver(s: Session, pdu: PDU): void {
    s.send(pdu.response());
    if (!((pdu.esm_class ?? 0) & RECEIPT_BIT)) return; // a citizen's reply to the sender: not read
    const sm = pdu.short_message;
    const raw = sm && typeof sm === 'object' && 'message' in sm ? sm.message : sm;
    const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : String(raw ?? '');
    const receipt = parseReceipt(text, { receipted_message_id: pdu.receipted_message_id, message_state: pdu.message_state });
    if (receipt) for (const h of this.receiptHandlers) h(receipt);
  }

  onReceipt(handler: (r: SmsReceipt) => void): void {
    this.receiptHandlers.push(handler);
  }

  private async whenBound(): Promise<Session> {
    if (!this.bound) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.boundWaiters = this.boundWaiters.filter((w) => w !== done);
          reject(new SmsSendError('the SMPP link is not bound', true));
        }, this.o.bindWaitMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.boundWaiters.push(done);
      });
    }
    return this.session!;
  }

  /** Waits for a place in the window and a slot of the rate (and out any throttling pause). */
  private async slot(): Promise<void> {
    while (this.outstanding >= this.o.window) await new Promise<void>((r) => this.windowWaiters.push(r));
    this.outstanding++;
    const interval = 1000 / this.o.ratePerSecond;
    const at = Math.max(Date.now(), this.nextSlot, this.pausedUntil);
    this.nextSlot = at + interval;
    await sleep(at - Date.now());
  }

  private release(): void {
    this.outstanding--;
    this.windowWaiters.shift()?.();
  }

  /** One submit_sm and its answer. */
  private submitOnce(s: Session, params: Record<string, unknown>): Promise<PDU> {
    return new Promise<PDU>((resolve, reject) => {
      const fail = (err: SmsSendError) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new SmsSendError('the SMSC did not answer a submit_sm in time', false)),
        this.o.responseTimeoutMs,
      );
      this.pending.add(fail);
      const written = s.submit_sm(params, (pdu) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        resolve(pdu);
      });
      if (!written) fail(new SmsSendError('the SMPP link is not writable', true));
    });
  }

  /** One part, pausing and trying again while the SMSC says it is busy. Returns its message id. */
  private async submitPart(params: Record<string, unknown>): Promise<string> {
    let backoff = this.o.throttleBackoffMs;
    for (let attempt = 0; ; attempt++) {
      const s = await this.whenBound();
      await this.slot();
      let pdu: PDU;
      try {
        pdu = await this.submitOnce(s, params);
      } finally {
        this.release();
      }
      if (pdu.command_status === 0) return String(pdu.message_id ?? '');
      if (BUSY.has(pdu.command_status)) {
        if (attempt >= this.o.throttleRetries) throw new SmsSendError('the SMSC keeps throttling', true);
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + backoff);
        log.info({ status: pdu.command_status, pauseMs: backoff }, 'SMSC throttled: pausing');
        backoff *= 2;
        continue;
      }
      const hex = `0x${pdu.command_status.toString(16).padStart(8, '0')}`;
      throw new SmsSendError(`the SMSC refused the message: ${hex}`, TRANSIENT.has(pdu.command_status));
    }
  }

  async send(m: SmsMessage): Promise<SmsAccepted> {
    const encoding = encodingOf(m.text);
    const parts = splitSegments(m.text);
    // Concatenated SMS: an 8-bit reference, the count and the part's number (3GPP TS 23.040 §9.2.3.24.1).
    const ref = randomInt(256);
    const providerIds: string[] = [];
    for (const [i, part] of parts.entries()) {
      const udh = parts.length > 1 ? Buffer.from([0x05, 0x00, 0x03, ref, parts.length, i + 1]) : undefined;
      const params = {
        ...sourceAddress(this.o.sender),
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: m.to,
        registered_delivery: 1,
        data_coding: DATA_CODING[encoding],
        short_message: udh ? { udh, message: part } : part,
      };
      try {
        providerIds.push(await this.submitPart(params));
      } catch (err) {
        // Once a part has gone, sending the message again would repeat it.
        if (i > 0 && err instanceof SmsSendError) throw new SmsSendError(`part ${i + 1} of ${parts.length}: ${err.message}`, false);
        throw err;
      }
    }
    return { providerIds };
  }

  /** Unbinds politely (a second at most) and closes the link; no reconnect after it. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const s = this.session;
    if (!s) return;
    if (this.bound) await Promise.race([new Promise<void>((done) => s.unbind(() => done()) || done()), sleep(1000)]);
    await Promise.race([new Promise<void>((done) => s.destroy(() => done())), sleep(1000)]);
  }
}
