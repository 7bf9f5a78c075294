/**
 * How many SMS a text costs. A text in the GSM 03.38 alphabet goes as 7-bit septets: 160 in one
 * SMS, 153 per part of a longer one (the concatenation header takes 7); the extension characters
 * (`^{}\[~]|€` and form feed) take two septets each (an escape and the character). Anything else
 * — Cyrillic, and so every Kazakh or Russian text — goes as UCS-2: 70 UTF-16 units in one SMS,
 * 67 per part. A part never splits an escape pair or a surrogate pair.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';
const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export type SmsEncoding = 'gsm7' | 'ucs2';

export const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
};

/** GSM-7 when every character is in the GSM 03.38 alphabet (with its extension), else UCS-2. */
export function encodingOf(text: string): SmsEncoding {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return 'ucs2';
  return 'gsm7';
}

/** The cost of one character in its encoding's units (septets or UTF-16 units). */
const unitsOf = (ch: string, enc: SmsEncoding) => (enc === 'gsm7' ? (extension.has(ch) ? 2 : 1) : ch.length);

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 units (UCS-2). */
  units: number;
  segments: number;
}

/** The encoding, its units and the number of SMS the text takes (an empty text still takes one). */
export function countSegments(text: string): SegmentCount {
  return { ...splitInfo(text), segments: splitSegments(text).length };
}

function splitInfo(text: string) {
  const encoding = encodingOf(text);
  let units = 0;
  for (const ch of text) units += unitsOf(ch, encoding);
  return { encoding, units };
}

/** The text cut into the parts it is sent as (one part when it fits a single SMS). */
export function splitSegments(text: string): string[] {
  const { encoding, units } = splitInfo(text);
  const limit = LIMITS[encoding];
  if (units <= limit.single) return [text];
  const parts: string[] = [];
  let part = '';
  let used = 0;
  for (const ch of text) {
    const u = unitsOf(ch, encoding);
    if (used + u > limit.part) {
      parts.push(part);
      part = '';
      used = 0;
    }
    part += ch;
    used += u;
  }
  if (part) parts.push(part);
  return parts;
}
