import { countSegments } from './segments.ts';
import { type SmsAccepted, type SmsMessage, type SmsSender, SmsSendError } from './sender.ts';

export interface HttpGatewayOptions {
  /** The provider's endpoint: each SMS is one POST of JSON here. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  /** The sender name or number the provider shows (SMS_SENDER). */
  sender?: string;
  timeoutMs?: number;
}

/**
 * A provider's plain HTTP gateway: POST `{to, text, sender, reference, encoding, segments}` as
 * JSON with a bearer token; a 2xx answer accepts it (its `id` or `message_id`, when given, is
 * kept). `reference` is the outbox id, the same on every attempt, for a provider that drops
 * repeats. A 429, a 5xx or no answer is tried again later; another 4xx is final.
 */
export class HttpGateway implements SmsSender {
  readonly name = 'http' as const;
  constructor(private readonly o: HttpGatewayOptions) {}

  async send(m: SmsMessage): Promise<SmsAccepted> {
    const { encoding, segments } = countSegments(m.text);
    let res: Response;
    try {
      res = await fetch(this.o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.token}` },
        body: JSON.stringify({ to: m.to, text: m.text, sender: this.o.sender, reference: String(m.id), encoding, segments }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
    } catch (err) {
      // Refused or unreachable before an answer. (A timeout after the request went out is
      // ambiguous; `reference` lets the provider drop the repeat.)
      throw new SmsSendError(`SMS gateway unreachable: ${(err as Error).message}`, true);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429 || res.status >= 500) throw new SmsSendError(`SMS gateway answered ${res.status}`, true);
    if (!res.ok) throw new SmsSendError(`SMS gateway refused the message: ${res.status} ${text.slice(0, 200)}`, false);
    let id: unknown;
    try {
      const body = JSON.parse(text) as { id?: unknown; message_id?: unknown };
      id = body.id ?? body.message_id;
    } catch {
      id = undefined;
    }
    return { providerIds: typeof id === 'string' || typeof id === 'number' ? [String(id).slice(0, 100)] : [] };
  }

  onReceipt(): void {
    // A plain gateway sends no receipts: its messages stay "sent".
  }

  async close(): Promise<void> {}
}
