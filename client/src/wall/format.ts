import type { Lang } from '../lib/api.ts';

const KK_WEEKDAYS = ['жексенбі', 'дүйсенбі', 'сейсенбі', 'сәрсенбі', 'бейсенбі', 'жұма', 'сенбі'];
const KK_MONTHS = ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'];
const LOCALES: Record<Lang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };

interface CityParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hh: string;
  mm: string;
}

/** The calendar and clock of an instant in `timeZone` (month 1-12, weekday 0 = Sunday). */
export function cityParts(at: Date, timeZone: string): CityParts {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday),
    hh: p.hour,
    mm: p.minute,
  };
}

/**
 * The wall's date line in the city's zone: "пятница, 24 ноября 2026 г.", "24 қараша 2026 ж.,
 * жұма", "Friday, 24 November 2026". Kazakh is spelled out here: browsers with reduced ICU
 * data (Debian's Chromium) have no Kazakh names.
 */
export function longDate(at: Date, timeZone: string, lang: Lang): string {
  if (lang === 'kk') {
    const p = cityParts(at, timeZone);
    return `${p.day} ${KK_MONTHS[p.month - 1]} ${p.year} ж., ${KK_WEEKDAYS[p.weekday]}`;
  }
  return new Intl.DateTimeFormat(LOCALES[lang], { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}

/** "14:05" today, "21.11 07:23" (21/11 in English) on another day, with the year when not this year. */
export function shortDateTime(at: Date, now: Date, timeZone: string, lang: Lang): string {
  const p = cityParts(at, timeZone);
  const n = cityParts(now, timeZone);
  const time = `${p.hh}:${p.mm}`;
  if (p.year === n.year && p.month === n.month && p.day === n.day) return time;
  const dd = String(p.day).padStart(2, '0');
  const mm = String(p.month).padStart(2, '0');
  const sep = lang === 'en' ? '/' : '.';
  const date = p.year === n.year ? `${dd}${sep}${mm}` : `${dd}${sep}${mm}${sep}${p.year}`;
  return `${date} ${time}`;
}
