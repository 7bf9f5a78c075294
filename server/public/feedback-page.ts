import type { Context } from 'hono';
import { readFormBody } from '../input-checks.ts';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { textProblem } from '../input-checks.ts';
import { disputeByLink, feedbackView, rateByLink } from '../lifecycle/feedback.ts';
import { pickLang } from '../open311/format.ts';
import { checkFormToken, issueFormToken } from './form-token.ts';
import { feedbackPage, type FeedbackViewData, type PageState } from './feedback-html.ts';
import { PAGE_LANGS, type PageLang, type PageText } from './feedback-texts.ts';

/**
 * The page a citizen's feedback link opens (`/feedback/<token>`): what the appeal came to, a
 * rating form and a dispute form, answered by the same lifecycle functions as
 * /api/feedback/:token. A post answers 303 back to the page (so a reload does not post again),
 * or the page again with what to correct.
 */

const LangValue = z.enum(PAGE_LANGS as [PageLang, ...PageLang[]]);

/** The language: `?lang=` (the link's, or the switch's), else the form's, else Accept-Language. */
export function pageLang(c: Context, formLang?: unknown): PageLang {
  const asked = LangValue.safeParse(c.req.query('lang') ?? formLang);
  return asked.success ? asked.data : pickLang(c.req.header('accept-language'));
}

const timeZones = new WeakMap<pg.Pool, Promise<string>>();
/** The database session's time zone: the city's (server/db/pool.ts sets it on every connection). */
function cityTimeZone(pool: pg.Pool): Promise<string> {
  let tz = timeZones.get(pool);
  if (!tz) {
    tz = pool.query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`).then((r) => r.rows[0].tz);
    timeZones.set(pool, tz);
  }
  return tz;
}

/** The link's state as the page shows it: unknown (404), expired (410) or the appeal. */
async function loadState(pool: pg.Pool, key: Buffer, token: string): Promise<{ state: PageState; status: 200 | 404 | 410 }> {
  try {
    const view = (await feedbackView(pool, token)) as FeedbackViewData;
    return { state: { kind: 'view', view, form: issueFormToken(key, token) }, status: 200 };
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return { state: { kind: 'unknown' }, status: 404 };
    if (err instanceof AppError && err.status === 410) return { state: { kind: 'expired' }, status: 410 };
    throw err;
  }
}

async function render(c: Context, pool: pg.Pool, state: PageState, lang: PageLang, status: number) {
  c.header('Cache-Control', 'no-store');
  c.header('Content-Language', lang);
  c.header('Vary', 'Accept-Language');
  return c.html(feedbackPage(state, lang, await cityTimeZone(pool)), status as 200);
}

const DONE: Record<string, keyof PageText> = { rated: 'thanksRated', disputed: 'thanksDisputed' };

/** GET: the page, with a thank-you after a post (`?done=`). */
export async function showFeedbackPage(c: Context, pool: pg.Pool, key: Buffer, token: string) {
  const lang = pageLang(c);
  const { state, status } = await loadState(pool, key, token);
  const done = DONE[c.req.query('done') ?? ''];
  if (state.kind === 'view' && done && state.view.answered) state.notice = { tone: 'ok', text: done };
  return render(c, pool, state, lang, status);
}

const comment = z
  .string()
  .trim()
  .max(2000, 'badComment')
  .refine((s) => textProblem(s) === null, 'badComment')
  .transform((s) => s || undefined);
/** The two forms of the page; other fields are ignored (a page, not an API). */
const PostedForm = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('rate'),
    rating: z.coerce.number({ error: 'needRating' }).int('needRating').min(1, 'needRating').max(5, 'needRating'),
    comment: comment.optional(),
  }),
  z.object({ action: z.literal('dispute'), comment: comment.pipe(z.string({ error: 'needComment' })) }),
]);

/** A message of the page for a refused form (the zod issue's message is a PageText key). */
const noticeOf = (error: z.ZodError): keyof PageText => {
  const m = error.issues[0]?.message;
  return m === 'needRating' || m === 'needComment' || m === 'badComment' ? m : 'needRating';
};

/** POST: a rating or a dispute from the page's own form. */
export async function postFeedbackPage(c: Context, pool: pg.Pool, key: Buffer, token: string) {
  const body = await readFormBody(c);
  const lang = pageLang(c, body.lang);
  const { state, status } = await loadState(pool, key, token);
  if (state.kind !== 'view') return render(c, pool, state, lang, status);
  const typed = typeof body.comment === 'string' ? body.comment.slice(0, 2000) : undefined;
  if (!checkFormToken(key, token, body.form)) {
    return render(c, pool, { ...state, notice: { tone: 'error', text: 'formExpired' }, comment: typed }, lang, 403);
  }
  const form = PostedForm.safeParse(body);
  if (!form.success) return render(c, pool, { ...state, notice: { tone: 'error', text: noticeOf(form.error) }, comment: typed }, lang, 400);
  try {
    if (form.data.action === 'rate') await rateByLink(pool, token, { rating: form.data.rating, comment: form.data.comment });
    else await disputeByLink(pool, token, { comment: form.data.comment });
  } catch (err) {
    if (!(err instanceof AppError) || ![409, 410].includes(err.status)) throw err;
    const again = await loadState(pool, key, token);
    return render(c, pool, again.state, lang, again.status === 200 ? 409 : again.status);
  }
  return c.redirect(`/feedback/${token}?lang=${lang}&done=${form.data.action === 'rate' ? 'rated' : 'disputed'}`, 303);
}
