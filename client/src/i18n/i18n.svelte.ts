import { getContext, setContext } from 'svelte';
import type { Lang, Names } from '../lib/api.ts';
import { en } from './en.ts';
import { kk } from './kk.ts';
import { ru, type Dictionary, type MessageKey } from './ru.ts';

export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];
export const DICTIONARIES: Record<Lang, Dictionary> = { kk, ru, en };
const STORAGE_KEY = 'jardem.lang';
/** Kazakhstan's single time zone (UTC+05:00 since March 2024) when the city pack names none. */
export const DEFAULT_TIMEZONE = 'Asia/Almaty';

/** BCP 47 locales for Intl: Kazakh and Russian as spoken in Kazakhstan. */
const LOCALES: Record<Lang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };
/**
 * Browsers built with reduced ICU data (Debian's Chromium among them) have no Kazakh, and
 * print "M11 24" for a date. Kazakh numbers follow the Russian pattern (62 000,5), and Kazakh
 * month names are spelled out here.
 */
const NUMBER_LOCALES: Record<Lang, string> = { kk: 'ru-RU', ru: 'ru-RU', en: 'en-GB' };
const KK_MONTHS_SHORT = ['қаң.', 'ақп.', 'нау.', 'сәу.', 'мам.', 'мау.', 'шіл.', 'там.', 'қыр.', 'қаз.', 'қар.', 'жел.'];

interface Parts {
  y: string;
  m: string;
  d: string;
  hh: string;
  mm: string;
}

/** Calendar date and wall-clock time of an instant in `timeZone`, as digits. */
function partsIn(date: Date, timeZone: string): Parts {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  return { y: p.year, m: p.month, d: p.day, hh: p.hour, mm: p.minute };
}

/** The language the user chose in this browser, if any. */
function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v && (LANGS as string[]).includes(v)) return v as Lang;
  } catch {
    // storage blocked (private mode): the city's language, else Russian
  }
  return null;
}

/**
 * The interface language and every formatter that depends on it. Dates and times are always
 * shown in the city's time zone, never the browser's: a dispatcher in another zone sees the
 * same deadlines as the control room.
 */
export class I18n {
  lang = $state<Lang>(storedLang() ?? 'ru');
  /** True once the user picked a language: the city pack's first language no longer applies. */
  private chosen = storedLang() !== null;
  timeZone = $state(DEFAULT_TIMEZONE);
  /** The centre's phone number from the city pack ("109", "311"): `{number}` in every message. */
  phone = $state('109');
  /** The centre's name from the city pack; unset: "Jardem <phone>" (app.name). */
  centreName = $state<Partial<Names> | null>(null);

  constructor() {
    $effect.root(() => {
      $effect(() => {
        document.documentElement.lang = this.lang;
      });
    });
  }

  /** The city pack's first language, unless the user picked one. */
  setCityLang(lang: Lang | undefined) {
    if (lang && !this.chosen) this.lang = lang;
  }

  setLang(lang: Lang) {
    this.chosen = true;
    this.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // not persisted; the choice still holds for this page
    }
  }

  /** The message for `key` with `{param}` placeholders filled in. */
  t = (key: MessageKey, params?: Record<string, string | number>): string => {
    const text = DICTIONARIES[this.lang][key] ?? ru[key] ?? key;
    const all: Record<string, string | number> = { number: this.phone, ...params };
    return text.replace(/\{(\w+)\}/g, (m, p: string) => (p in all ? this.paramText(all[p]) : m));
  };

  /** The centre's name in the current language ("Jardem 109", "NYC 311"). */
  get centre(): string {
    return this.name(this.centreName) || this.t('app.name');
  }

  /** The label of an enum value (status, type, channel, priority); the raw value if unknown. */
  label = (group: 'status' | 'type' | 'channel' | 'priority' | 'role' | 'period' | 'event', value: string | number): string => {
    const key = `${group}.${value}`;
    return key in ru ? this.t(key as MessageKey) : String(value);
  };

  private paramText(v: string | number): string {
    return typeof v === 'number' ? this.num(v) : v;
  }

  /** A name from the API in the current language (falls back to Russian, then any). */
  name = (names: Partial<Names> | null | undefined): string => {
    if (!names) return '';
    return names[this.lang] || names.ru || names.kk || names.en || '';
  };

  get locale(): string {
    return LOCALES[this.lang];
  }

  num = (n: number, digits = 0): string =>
    new Intl.NumberFormat(NUMBER_LOCALES[this.lang], { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);

  pct = (ratio: number): string => `${this.num(Math.round(ratio * 100))}%`;

  /** A span of hours as people say it: "40 мин", "5 ч", "3 дн. 4 ч", "110 дн." — never "2 643,4 ч". */
  duration = (hours: number): string => {
    const minutes = Math.max(0, Math.round(hours * 60));
    if (minutes < 60) return this.t('unit.minutes', { n: this.num(minutes) });
    const h = Math.round(minutes / 60);
    if (h < 24) return this.t('unit.hours', { n: this.num(h) });
    const days = Math.floor(h / 24);
    const rest = h % 24;
    const d = this.t('unit.days', { n: this.num(days) });
    return days >= 10 || rest === 0 ? d : `${d} ${this.t('unit.hours', { n: this.num(rest) })}`;
  };

  /** Date and time in the city's zone, e.g. "24.11.2026, 14:05" (24/11/2026 in English). */
  dateTime = (iso: string | Date): string => {
    const p = partsIn(new Date(iso), this.timeZone);
    const date = this.lang === 'en' ? `${p.d}/${p.m}/${p.y}` : `${p.d}.${p.m}.${p.y}`;
    return `${date}, ${p.hh}:${p.mm}`;
  };

  /** Time of day in the city's zone, 24-hour. */
  time = (iso: string | Date): string => {
    const p = partsIn(new Date(iso), this.timeZone);
    return `${p.hh}:${p.mm}`;
  };

  /** A calendar day (YYYY-MM-DD, already a city day) as a short label, e.g. "24 нояб.". */
  day = (ymd: string): string => {
    if (this.lang === 'kk') return `${Number(ymd.slice(8, 10))} ${KK_MONTHS_SHORT[Number(ymd.slice(5, 7)) - 1]}`;
    return new Intl.DateTimeFormat(this.locale, { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(`${ymd}T00:00:00Z`));
  };

  /** A calendar day with its year ("2026 ж. 24 қар." in Kazakh). */
  longDay = (ymd: string): string => {
    if (this.lang === 'kk') return `${ymd.slice(0, 4)} ж. ${this.day(ymd)}`;
    return new Intl.DateTimeFormat(this.locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(
      new Date(`${ymd}T00:00:00Z`),
    );
  };
}

const KEY = Symbol('i18n');
export function setI18n(i18n: I18n): I18n {
  return setContext(KEY, i18n);
}
export function getI18n(): I18n {
  return getContext<I18n>(KEY);
}

export type { MessageKey };
