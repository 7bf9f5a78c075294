/**
 * What the SMS say, in Kazakh and Russian (the caller's language; Russian when not asked). Every
 * text is Cyrillic, so UCS-2: the registration text is kept within one SMS (70 characters) with
 * room for a long number (test/unit/sms-texts.test.ts checks it).
 */
export const SMS_LANGS = ['kk', 'ru'] as const;
export type SmsLang = (typeof SMS_LANGS)[number];

/** The statuses a status-change SMS may name. */
export type SmsStatus = 'assigned' | 'in_progress' | 'reopened' | 'closed' | 'rejected';

const ru = {
  registered: 'Центр 109: обращение {number} зарегистрировано.',
  resolved: 'Обращение {number} выполнено. Оцените или оспорьте: {link}',
  status: 'Обращение {number}: {status}.',
  'status.assigned': 'передано исполнителю',
  'status.in_progress': 'в работе',
  'status.reopened': 'открыто повторно',
  'status.closed': 'закрыто',
  'status.rejected': 'отклонено',
};
type Key = keyof typeof ru;

const kk: Record<Key, string> = {
  registered: '109 орталығы: өтініш {number} тіркелді.',
  resolved: '{number} өтініші орындалды. Бағалаңыз не дау айтыңыз: {link}',
  status: '{number} өтініші: {status}.',
  'status.assigned': 'орындаушыға берілді',
  'status.in_progress': 'жұмыста',
  'status.reopened': 'қайта ашылды',
  'status.closed': 'жабылды',
  'status.rejected': 'қабылданбады',
};

export const SMS_TEXTS: Record<SmsLang, Record<Key, string>> = { kk, ru };

const fill = (s: string, vars: Record<string, string>) => s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);

export const smsLang = (lang: string | null | undefined): SmsLang => (lang === 'kk' ? 'kk' : 'ru');

/** The text of an SMS of one kind. */
export function smsText(
  lang: SmsLang,
  m:
    | { kind: 'registered'; number: string }
    | { kind: 'resolved'; number: string; link: string }
    | { kind: 'status'; number: string; status: SmsStatus },
): string {
  const t = SMS_TEXTS[lang];
  if (m.kind === 'registered') return fill(t.registered, { number: m.number });
  if (m.kind === 'resolved') return fill(t.resolved, { number: m.number, link: m.link });
  return fill(t.status, { number: m.number, status: t[`status.${m.status}`] });
}
