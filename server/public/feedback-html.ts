import { PAGE_LANGS, PAGE_TEXTS, type PageLang, type PageText, statusText } from './feedback-texts.ts';

/**
 * The HTML of the citizen's feedback page: plain forms that post to the server, a few lines of
 * CSS, no script, so it works on the cheapest phone and with JavaScript off.
 */

/** What a link's page is about (from feedbackView, server/lifecycle/feedback.ts). */
export interface FeedbackViewData {
  number: string;
  category: { code: string; name: Record<PageLang, string> };
  status: string;
  resolution_note: string | null;
  created_at: Date | string;
  resolved_at: Date | string | null;
  expires_at: Date | string;
  answered: boolean;
  can_rate: boolean;
  can_dispute: boolean;
}

export type PageState =
  | { kind: 'unknown' }
  | { kind: 'expired' }
  | {
      kind: 'view';
      view: FeedbackViewData;
      /** the hidden form token (form-token.ts) */
      form: string;
      /** what the last post came to: a thank-you, or what to correct */
      notice?: { tone: 'ok' | 'error'; text: keyof PageText };
      /** the comment to put back in the form after a refused post */
      comment?: string;
    };

/** Escapes text for HTML content and attribute values. */
export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2933;background:#f3f5f7}
main{max-width:36rem;margin:0 auto;padding:1rem}header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem;background:#0b5cad;color:#fff;padding:.6rem 1rem}
header b{font-size:1.05rem}nav a{color:#fff;margin-left:.6rem}nav a[aria-current]{font-weight:700;text-decoration:none}
section{background:#fff;border:1px solid #d5dbe1;border-radius:.5rem;padding:1rem;margin:0 0 1rem}h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .6rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem .8rem;margin:0}dt{color:#52606d}dd{margin:0;overflow-wrap:anywhere}
.note{white-space:pre-wrap;overflow-wrap:anywhere}.ok,.error{padding:.7rem 1rem;border-radius:.5rem;margin:0 0 1rem}.ok{background:#e3f4e8;border:1px solid #7bc193}.error{background:#fde8e8;border:1px solid #e09a9a}
fieldset{border:0;padding:0;margin:0 0 .8rem}legend{margin-bottom:.4rem}.stars{display:flex;gap:.4rem}.stars label{flex:1}.stars input{position:absolute;opacity:0}
.stars span{display:block;text-align:center;padding:.6rem 0;border:1px solid #9aa5b1;border-radius:.4rem;font-weight:700}.stars input:checked+span{background:#0b5cad;color:#fff;border-color:#0b5cad}
.stars input:focus-visible+span{outline:3px solid #f0b429}textarea{width:100%;min-height:5rem;font:inherit;padding:.5rem;border:1px solid #9aa5b1;border-radius:.4rem}
label.block{display:block;margin-bottom:.3rem}button{font:inherit;font-weight:600;padding:.65rem 1.2rem;margin-top:.6rem;border-radius:.4rem;border:0;background:#0b5cad;color:#fff;width:100%}
button.dispute{background:#b42318}footer{text-align:center;padding:0 1rem 1.5rem}footer a{color:#0b5cad}`;

/** dd.mm.yyyy (English: dd/mm/yyyy) in the city's time zone. */
function day(value: Date | string | null, lang: PageLang, timeZone: string): string {
  if (!value) return '';
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }).format(
    new Date(value),
  );
}

function languageLinks(lang: PageLang, t: PageText): string {
  const names: Record<PageLang, string> = { kk: 'Қаз', ru: 'Рус', en: 'Eng' };
  const links = PAGE_LANGS.map(
    (l) => `<a href="?lang=${l}" hreflang="${l}" lang="${l}"${l === lang ? ' aria-current="true"' : ''}>${names[l]}</a>`,
  ).join('');
  return `<nav aria-label="${esc(t.language)}">${links}</nav>`;
}

function summary(v: FeedbackViewData, lang: PageLang, t: PageText, tz: string): string {
  const rows: [string, string][] = [
    [t.appeal, v.number],
    [t.category, v.category.name[lang] || v.category.name.ru],
    [t.status, statusText(t, v.status)],
    [t.registered, day(v.created_at, lang, tz)],
  ];
  if (v.resolved_at) rows.push([t.resolved, day(v.resolved_at, lang, tz)]);
  const dl = rows.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${esc(val)}</dd>`).join('');
  const note = v.resolution_note ? `<p class="note">${esc(v.resolution_note)}</p>` : `<p>${esc(t.noNote)}</p>`;
  return `<section><dl>${dl}</dl></section><section><h2>${esc(t.whatWasDone)}</h2>${note}</section>`;
}

function forms(s: Extract<PageState, { kind: 'view' }>, lang: PageLang, t: PageText, tz: string): string {
  const v = s.view;
  const hidden = `<input type="hidden" name="form" value="${esc(s.form)}"><input type="hidden" name="lang" value="${lang}">`;
  const comment = esc(s.comment ?? '');
  let out = '';
  if (v.can_rate) {
    const stars = [1, 2, 3, 4, 5]
      .map((n) => `<label><input type="radio" name="rating" value="${n}" required><span>${n}</span></label>`)
      .join('');
    out += `<section><h2>${esc(t.rateTitle)}</h2><form method="post">${hidden}<input type="hidden" name="action" value="rate">
<fieldset><legend>${esc(t.ratingLegend)}</legend><div class="stars">${stars}</div></fieldset>
<label class="block" for="c1">${esc(t.comment)}</label><textarea id="c1" name="comment" maxlength="2000">${comment}</textarea>
<button type="submit">${esc(t.send)}</button></form></section>`;
  }
  if (v.can_dispute) {
    out += `<section><h2>${esc(t.disputeTitle)}</h2><p>${esc(t.disputeHint)} ${esc(day(v.expires_at, lang, tz))}.</p>
<form method="post">${hidden}<input type="hidden" name="action" value="dispute">
<label class="block" for="c2">${esc(t.disputeComment)}</label><textarea id="c2" name="comment" maxlength="2000" required>${comment}</textarea>
<button type="submit" class="dispute">${esc(t.disputeSend)}</button></form></section>`;
  }
  if (!v.can_rate && !v.can_dispute && !s.notice) {
    out += `<p class="ok">${esc(v.answered ? t.used : t.notRateable)}</p>`;
  }
  return out;
}

/**
 * The whole page for a state, in `lang`; dates in `timeZone` (the city's). Its referrer policy
 * is same-origin: the link's token never leaves in a Referer to another site, while the page's
 * own form posts keep their Origin (under no-referrer Chrome sends `Origin: null`, which the
 * same-site check refuses).
 */
export function feedbackPage(state: PageState, lang: PageLang, timeZone: string): string {
  const t = PAGE_TEXTS[lang];
  let body: string;
  if (state.kind === 'unknown') body = `<p class="error" role="alert">${esc(t.unknown)}</p>`;
  else if (state.kind === 'expired') body = `<p class="error" role="alert">${esc(t.expired)}</p>`;
  else {
    const notice = state.notice
      ? `<p class="${state.notice.tone}" role="${state.notice.tone === 'ok' ? 'status' : 'alert'}">${esc(t[state.notice.text])}</p>`
      : '';
    body = notice + summary(state.view, lang, t, timeZone) + forms(state, lang, t, timeZone);
  }
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="same-origin"><title>${esc(t.title)} · 109</title><style>${CSS}</style></head>
<body><header><b>109</b>${languageLinks(lang, t)}</header><main><h1>${esc(t.title)}</h1>${body}</main>
<footer><a href="/public">${esc(t.portal)}</a></footer></body></html>`;
}
