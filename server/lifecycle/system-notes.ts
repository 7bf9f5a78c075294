import type pg from 'pg';

/** Anything that runs a query: a pool or a transaction's client. */
type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Notes the system writes into an appeal's history (a merge, an escalation, a rating...), in
 * the city's language: `language` of the city pack (New York: en), Russian for a pack that
 * names none (as before). Staff and the citizen's status page read them as written.
 */
const NOTES = {
  consulted: { kk: 'Желіде кеңес берілді', ru: 'Консультация дана на линии', en: 'Advice given on the call' },
  expired: {
    kk: 'Растау мерзімі өткен соң жабылды',
    ru: 'Закрыто по истечении срока подтверждения',
    en: 'Closed: the confirmation period has passed',
  },
  duplicateOf: { kk: '{number} өтінішінің қайталауы', ru: 'Дубликат обращения {number}', en: 'Duplicate of appeal {number}' },
  attached: { kk: '{number} өтініші қосылды', ru: 'Присоединено обращение {number}', en: 'Appeal {number} attached' },
  rating: { kk: 'Өтініш берушінің бағасы: {rating}', ru: 'Оценка заявителя: {rating}', en: 'Rating by the applicant: {rating}' },
  disputed: { kk: 'Өтініш беруші шешімге дау айтты', ru: 'Заявитель оспорил решение', en: 'The applicant disputed the resolution' },
  workOrderMoved: {
    kk: 'Өтініш {number} өтінішіне қосылғанда көшірілді',
    ru: 'Перенесён из обращения {number} при присоединении',
    en: 'Moved from appeal {number} when it was merged',
  },
  workOrderMerged: {
    kk: 'Өтініш {parent} өтінішіне қосылды; бұл қызмет онда бұрыннан бар',
    ru: 'Обращение присоединено к {parent}; эта служба там уже работает',
    en: 'The appeal was merged into {parent}, where this service already works',
  },
  escalation: { kk: 'Эскалация: {level}-деңгей', ru: 'Эскалация: уровень {level}', en: 'Escalation: level {level}' },
} as const;

export type NoteKey = keyof typeof NOTES;
export type NoteLang = 'kk' | 'ru' | 'en';

/** A system note in `lang` with its `{params}` filled in. */
export function noteText(lang: NoteLang, key: NoteKey, params: Record<string, string | number> = {}): string {
  return NOTES[key][lang].replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m));
}

/** The city's note language, read with the caller's client (inside its transaction). */
export async function noteLanguage(db: Queryable): Promise<NoteLang> {
  const { rows } = await db.query<{ lang: string | null }>(`SELECT value->>'language' AS lang FROM city_settings WHERE key = 'city'`);
  const lang = rows[0]?.lang;
  return lang === 'kk' || lang === 'en' ? lang : 'ru';
}

/** A system note in the city's language. */
export async function systemNote(db: Queryable, key: NoteKey, params?: Record<string, string | number>): Promise<string> {
  return noteText(await noteLanguage(db), key, params);
}
