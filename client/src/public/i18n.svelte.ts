import { getContext, setContext } from 'svelte';
import { en, kk, type PortalKey, ru } from './texts.ts';

export type Lang = 'kk' | 'ru' | 'en';
export type Names = Record<Lang, string>;
export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];
const DICTIONARIES = { kk, ru, en };
const STORAGE_KEY = 'jardem.public.lang';
/** The city's time zone (Kazakhstan, UTC+05:00): dates read the same wherever the visitor is. */
const TIME_ZONE = 'Asia/Almaty';

/** `?lang=` of the link, else the visitor's last choice, else Russian. */
function initialLang(): Lang {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked && (LANGS as string[]).includes(asked)) return asked as Lang;
  try {
    const kept = localStorage.getItem(STORAGE_KEY);
    if (kept && (LANGS as string[]).includes(kept)) return kept as Lang;
  } catch {
    // storage blocked: Russian
  }
  return 'ru';
}

/** The portal's language and its formatters (numbers and dates as in Kazakhstan). */
export class PortalI18n {
  lang = $state<Lang>(initialLang());

  constructor() {
    $effect.root(() => {
      $effect(() => {
        document.documentElement.lang = this.lang;
        document.title = `${this.t('title')} · 109`;
      });
    });
  }

  setLang(lang: Lang) {
    this.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // kept for this page only
    }
  }

  t(key: PortalKey, vars: Record<string, string | number> = {}): string {
    return (DICTIONARIES[this.lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
  }

  /** A name in the current language (Russian when that one is empty). */
  name(n: Names | null | undefined): string {
    return n ? n[this.lang] || n.ru : '';
  }

  /** Browsers with reduced ICU data have no Kazakh: Kazakh numbers and dates follow the Russian pattern. */
  private get locale() {
    return this.lang === 'en' ? 'en-GB' : 'ru-RU';
  }

  percent(rate: number | null | undefined): string {
    return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)} %`;
  }

  number(n: number, digits = 0): string {
    return n.toLocaleString(this.locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  /** A duration in hours: hours under two days, else days. */
  duration(hours: number | null | undefined): string {
    if (hours === null || hours === undefined) return '—';
    return hours < 48 ? this.t('hours', { n: this.number(hours) }) : this.t('days', { n: this.number(hours / 24, 1) });
  }

  dateTime(iso: string | null | undefined): string {
    if (!iso) return '';
    return new Intl.DateTimeFormat(this.locale, {
      timeZone: TIME_ZONE,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(iso));
  }
}

const KEY = Symbol('portal-i18n');
export const setI18n = (i: PortalI18n) => setContext(KEY, i);
export const getI18n = () => getContext<PortalI18n>(KEY);
