/**
 * One way to hand an SMS to an operator, behind one small interface: the SMPP link to an SMS
 * centre (smpp.ts) or a provider's HTTP gateway (http-gateway.ts). The outbox (outbox.ts) knows
 * nothing of either.
 */

/** One SMS to send: the outbox row's id (a reference the gateway may use to drop a repeat). */
export interface SmsMessage {
  id: number;
  /** Digits of the international number, no plus (77011234567). */
  to: string;
  text: string;
}

/** What the gateway accepted: its message id per part, in order (empty when it gives none). */
export interface SmsAccepted {
  providerIds: string[];
}

/** A delivery receipt: the gateway's message id and whether that part reached the phone. */
export interface SmsReceipt {
  providerId: string;
  delivered: boolean;
  /** The gateway's word for the state (DELIVRD, UNDELIV, EXPIRED...). */
  state: string;
}

/**
 * Thrown when a message was not sent. `retry`: it surely did not go and may be tried again later
 * (the link is down, the gateway is busy); otherwise it must not be tried again (the number is
 * refused, or it may have gone: a repeat could reach the phone twice).
 */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

export interface SmsSender {
  readonly name: 'smpp' | 'http';
  /** Sends one SMS (as many parts as it needs); throws SmsSendError. */
  send(message: SmsMessage): Promise<SmsAccepted>;
  /** Receipts as they arrive (SMPP deliver_sm); the HTTP gateway has none. */
  onReceipt(handler: (r: SmsReceipt) => void): void;
  close(): Promise<void>;
}

/**
 * A phone as typed at intake → the digits an SMS centre expects: international, no plus. A
 * Kazakh or Russian national number (8 and ten digits) gets its country code 7. Null when it
 * cannot be a mobile number.
 */
export function smsAddress(phone: string): string | null {
  let digits = phone.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  if (digits.length === 10 && digits.startsWith('7')) digits = `7${digits}`;
  return digits.length >= 10 && digits.length <= 15 ? digits : null;
}
