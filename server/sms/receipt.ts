import type { SmsReceipt } from './sender.ts';

/**
 * An SMPP delivery receipt, as SMS centres write it in the short_message of a deliver_sm
 * (SMPP 3.4 appendix B, followed by nearly all of them):
 * `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...`.
 * The TLVs receipted_message_id and message_state, when present, win over the text.
 */

/** SMPP message_state values (SMPP 3.4 §5.2.28) → the text's stat words. */
const STATE_WORDS: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};
/** Final states that mean the phone did not get it. */
const FAILED = new Set(['EXPIRED', 'DELETED', 'UNDELIV', 'UNKNOWN', 'REJECTD']);

/** The receipt, or null when it is not a final one (ENROUTE, ACCEPTD) or names no message. */
export function parseReceipt(text: string, tlv: { receipted_message_id?: string; message_state?: number } = {}): SmsReceipt | null {
  const id = tlv.receipted_message_id || /(?:^|\s)id:(\S+)/i.exec(text)?.[1];
  const state = (tlv.message_state ? STATE_WORDS[tlv.message_state] : undefined) ?? /(?:^|\s)stat:(\w+)/i.exec(text)?.[1]?.toUpperCase();
  if (!id || !state) return null;
  if (state === 'DELIVRD') return { providerId: id, delivered: true, state };
  if (FAILED.has(state)) return { providerId: id, delivered: false, state };
  return null;
}
