/**
 * One redaction step for free text on every public surface: what citizens type into a bot or
 * a form, and what staff write in notes, may carry a phone number, an e-mail address or an IIN
 * (the 12-digit individual identification number). Each is replaced by REDACTED. Names cannot
 * be found this way: that is why notes are internal unless meant for the citizen
 * (server/privacy/visibility.ts).
 */

/** What stands where personal data was. */
export const REDACTED = '[…]';

// Separators people put inside a phone number: spaces, dashes, dots, brackets (at most three in a row).
const SEP = String.raw`[\s.\-()\u2010-\u2015]{0,3}`;

/**
 * A Kazakh number: 10 national digits starting with 7 (mobile 70x/74x/75x/77x, landlines 71x/72x),
 * optionally after +7, 7 or 8, with separators anywhere. Not preceded or followed by a digit, so a
 * longer number (a registration number, a meter reading) is left alone.
 */
const PHONE = new RegExp(String.raw`(?<![\d+])(?:(?:\+${SEP}7|8|7)${SEP})?\(?7(?:${SEP}\d){9}(?!\d)`, 'g');

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/** Whether the text holds ten digits or more (anywhere): what a phone (10+) or an IIN (12) needs at least. */
function hasTenDigits(text: string): boolean {
  let n = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57 && ++n >= 10) return true;
  }
  return false;
}

/** Twelve digits in a row whose first six read as a date (YYMMDD) and whose seventh is 0–6. */
const IIN = /(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[0-6]\d{5}(?!\d)/g;

/**
 * True when a phone-shaped match is really a decimal pair such as coordinates ("71.392145 42.89")
 * or a version: a dot followed by five or more digits never occurs in a phone spelling.
 */
function looksDecimal(match: string): boolean {
  return /\.\d{5,}/.test(match) || /\d\.\d{4,}\s/.test(match);
}

/** The text with phones, e-mail addresses and IINs replaced by REDACTED; null stays null. */
export function redact<T extends string | null | undefined>(text: T): T {
  if (typeof text !== 'string' || text === '') return text;
  // Cheap gates, same result: an e-mail address needs an @, a phone or an IIN ten digits or more
  // (most appeals have neither, and the e-mail pattern is slow on long runs of letters).
  let out: string = text;
  if (out.includes('@')) out = out.replace(EMAIL, REDACTED);
  if (hasTenDigits(out)) out = out.replace(IIN, REDACTED).replace(PHONE, (m) => (looksDecimal(m) ? m : REDACTED));
  return out as T;
}

/** Whether the text holds anything redact() would replace. */
export function holdsPersonalData(text: string | null | undefined): boolean {
  return typeof text === 'string' && redact(text) !== text;
}
