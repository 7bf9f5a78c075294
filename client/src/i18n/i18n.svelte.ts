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

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v && (LANGS as string[]).includes(v)) return v as Lang;
  } catch {
    // storage blocked (private mode): Russian by default
  }
  return 'ru';
}

/**
 * The interface language and every formatter that depends on it. Dates and times are always
 * shown in the city's time zone, never the browser's: a dispatcher in another zone sees the
 * same deadlines as the control room.
 */
export class I18n {
  lang = $state<Lang>(storedLang());
  timeZone = $state(DEFAULT_TIMEZONE);

  constructor() {
    $effect.root(() => {
      $effect(() => {
        document.documentElement.lang = this.lang;
      });
    });
  }

  setLang(lang: Lang) {
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
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? this.paramText(params[p]) : m));
  };

  /** The label of an enum value (status, type, channel, priority); the raw value if unknown. */
  label = (group: 'status' | 'type' | 'channel' | 'priority' | 'role' | 'period', value: string | number): string => {
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
    new Intl.NumberFormat(this.locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);

  pct = (ratio: number): string => new Intl.NumberFormat(this.locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);

  /** Date and time in the city's zone, e.g. "24.11.2026, 14:05". */
  dateTime = (iso: string | Date): string =>
    new Intl.DateTimeFormat(this.locale, { timeZone: this.timeZone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));

  /** Time of day in the city's zone. */
  time = (iso: string | Date): string =>
    new Intl.DateTimeFormat(this.locale, { timeZone: this.timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

  /** A calendar day (YYYY-MM-DD, already a city day) as a short label, e.g. "24 нояб.". */
  day = (ymd: string): string =>
    new Intl.DateTimeFormat(this.locale, { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(`${ymd}T00:00:00Z`));

  /** A calendar day with its year. */
  longDay = (ymd: string): string =>
    new Intl.DateTimeFormat(this.locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${ymd}T00:00:00Z`));
}

const KEY = Symbol('i18n');
export function setI18n(i18n: I18n): I18n {
  return setContext(KEY, i18n);
}
export function getI18n(): I18n {
  return getContext<I18n>(KEY);
}

export type { MessageKey };
