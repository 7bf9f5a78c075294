import { getContext, setContext } from 'svelte';
import { en, type FieldKey, kk, ru } from './texts.ts';
import type { Lang } from './api.ts';

export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];
const DICTIONARIES = { kk, ru, en };
/** The staff app's key: a crew member who chose a language there keeps it here. */
const STORAGE_KEY = 'jardem.lang';
/** The city's time zone: deadlines read the same on every phone. */
const TIME_ZONE = 'Asia/Almaty';

function initialLang(): Lang {
  try {
    const kept = localStorage.getItem(STORAGE_KEY);
    if (kept && (LANGS as string[]).includes(kept)) return kept as Lang;
  } catch {
    // storage blocked
  }
  return 'ru';
}

/** The field app's language and formatters. */
export class FieldI18n {
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
      // this page only
    }
  }

  t(key: FieldKey, vars: Record<string, string | number> = {}): string {
    return (DICTIONARIES[this.lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
  }

  /** A date and time in the city's zone, short. */
  when(iso: string | Date): string {
    const locale = this.lang === 'en' ? 'en-GB' : 'ru-RU';
    return new Intl.DateTimeFormat(locale, {
      timeZone: TIME_ZONE,
      day: '2-digit',
      month: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(iso));
  }

  distance(m: number): string {
    return m < 1000
      ? this.t('m', { n: Math.round(m) })
      : this.t('km', { n: (m / 1000).toFixed(1).replace('.', this.lang === 'en' ? '.' : ',') });
  }
}

const KEY = Symbol('field-i18n');
export const setI18n = (i: FieldI18n) => setContext(KEY, i);
export const getI18n = () => getContext<FieldI18n>(KEY);
