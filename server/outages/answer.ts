/**
 * What a caller is told from an outage: its notice in their language (else another one that
 * exists) and its expected end as local wall time in the city's zone ("18:00", or "04.12 18:00"
 * when it is not today there).
 */
import { offsetAt, type Zone } from '../deadlines/zone.ts';

type Lang = 'kk' | 'ru' | 'en';
const FALLBACK: Record<Lang, Lang[]> = { kk: ['kk', 'ru', 'en'], ru: ['ru', 'kk', 'en'], en: ['en', 'ru', 'kk'] };

/** The notice in `lang`, or the first other language that has one. */
export function noticeIn(notice: Partial<Record<Lang, string | null>>, lang: Lang): string {
  for (const l of FALLBACK[lang]) if (notice[l]) return notice[l]!;
  return '';
}

/** `end` as the city's wall clock: "HH:MM", with "DD.MM " before it when its date is not `now`'s there. */
export function localUntil(end: Date, zone: Zone, now = new Date()): string {
  const wall = (t: Date) => new Date(t.getTime() + offsetAt(t.getTime(), zone) * 60_000);
  const e = wall(end);
  const n = wall(now);
  const two = (x: number) => String(x).padStart(2, '0');
  const time = `${two(e.getUTCHours())}:${two(e.getUTCMinutes())}`;
  const sameDay = e.toISOString().slice(0, 10) === n.toISOString().slice(0, 10);
  return sameDay ? time : `${two(e.getUTCDate())}.${two(e.getUTCMonth() + 1)} ${time}`;
}
