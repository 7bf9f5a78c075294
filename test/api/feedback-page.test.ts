import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lifecycle/tokens.ts';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

/**
 * Issue 20: the page a citizen's feedback link opens, /feedback/<token>: HTML with plain forms
 * (no script), in the link's language (?lang=) or the browser's, that rates or disputes through
 * the same lifecycle functions as /api/feedback/:token, and says plainly when a link is
 * unknown, expired or used.
 */
const t = testApp();
const { kit, create, must } = lifecycleKit(t, 93);

/** A resolved appeal with a reporter, and its feedback link's token. */
async function resolvedWithLink(note = 'Люк закрыт новой крышкой') {
  const a = await create({ reporter: { name: 'Гульнар Ахметова', phone: '+7 707 555 44 33' }, triage: true });
  await must(a.id, 'dispatcher', { to: 'assigned', service: kit.executorService });
  await must(a.id, 'executor', { to: 'in_progress' });
  await must(a.id, 'executor', { to: 'resolved', note });
  const links = (await t.json(`/api/incidents/${a.id}`, { headers: { cookie: kit.cookie.dispatcher } })).body.feedback_links;
  return { ...a, token: String(links[0].url).split('/').pop()! };
}

const page = async (path: string, headers: Record<string, string> = {}) => {
  const res = await t.request(path, { headers });
  return { status: res.status, html: await res.text(), headers: res.headers };
};
/** The hidden form token of a page. */
const formOf = (html: string) => /name="form" value="([^"]+)"/.exec(html)?.[1] ?? '';
const post = (token: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  t.request(`/feedback/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
const ratingOf = async (id: number) => (await t.pool.query('SELECT rating, status FROM incidents WHERE id = $1', [id])).rows[0];

let a: Awaited<ReturnType<typeof resolvedWithLink>>;
beforeAll(async () => {
  a = await resolvedWithLink();
});

describe('GET /feedback/<token>', () => {
  it('shows what was done with a rating form and a dispute form, no personal data, no script', async () => {
    const p = await page(`/feedback/${a.token}`);
    expect(p.status).toBe(200);
    expect(p.headers.get('content-type')).toMatch(/^text\/html/);
    expect(p.headers.get('cache-control')).toBe('no-store');
    expect(p.html).toContain('<html lang="ru">');
    expect(p.html).toContain(a.number);
    expect(p.html).toContain('Люк закрыт новой крышкой');
    expect(p.html).toContain('Оцените результат');
    expect(p.html).toContain('Проблема не решена');
    expect(p.html).toMatch(/<input type="radio" name="rating" value="5"/);
    expect(p.html).not.toMatch(/<script|Гульнар|555 44 33|5554433/);
    expect(formOf(p.html)).not.toBe('');
  });

  it('speaks the link’s language (?lang=), else the browser’s (Accept-Language), else Russian', async () => {
    const kk = await page(`/feedback/${a.token}`, { 'accept-language': 'kk-KZ,kk;q=0.9,ru;q=0.8' });
    expect(kk.html).toContain('<html lang="kk">');
    expect(kk.html).toContain('Нәтижені бағалаңыз');
    expect(kk.headers.get('content-language')).toBe('kk');
    const en = await page(`/feedback/${a.token}?lang=en`, { 'accept-language': 'kk' });
    expect(en.html).toContain('Rate the result');
    expect(en.html).toContain('It is not fixed');
    const de = await page(`/feedback/${a.token}`, { 'accept-language': 'de-DE' });
    expect(de.html).toContain('<html lang="ru">');
    // The switch keeps the page and changes only the language.
    expect(en.html).toMatch(/<a href="\?lang=kk"/);
  });

  it('says plainly that a link is unknown (404) in the asked language', async () => {
    const p = await page(`/feedback/${'Z'.repeat(43)}?lang=en`);
    expect(p.status).toBe(404);
    expect(p.html).toContain('We do not know this link');
    const junk = await page('/feedback/short');
    expect(junk.status).toBe(404);
    expect(junk.html).toContain('Мы не знаем такой ссылки');
  });

  it('says plainly that a link has expired (410)', async () => {
    const b = await resolvedWithLink();
    await t.pool.query(`UPDATE incident_feedback_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, [
      sha256(b.token),
    ]);
    const p = await page(`/feedback/${b.token}?lang=kk`);
    expect(p.status).toBe(410);
    expect(p.html).toContain('Бұл сілтеменің мерзімі өтті');
    expect(p.html).not.toContain('name="rating"');
  });
});

describe('POST /feedback/<token> (the page’s forms)', () => {
  it('rates through the page: 303 back to a thank-you, the rating is the appeal’s; a second answer is refused as used', async () => {
    const b = await resolvedWithLink();
    const form = formOf((await page(`/feedback/${b.token}`)).html);
    const res = await post(b.token, { form, lang: 'en', action: 'rate', rating: '4', comment: 'Спасибо' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/feedback/${b.token}?lang=en&done=rated`);
    expect(await ratingOf(b.id)).toMatchObject({ rating: 4 });
    const thanks = await page(res.headers.get('location')!);
    expect(thanks.html).toContain('Thank you! Your rating was recorded.');
    expect(thanks.html).not.toContain('name="rating"');
    const again = await post(b.token, { form, action: 'rate', rating: '1' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('По этой ссылке уже ответили');
    expect(await ratingOf(b.id)).toMatchObject({ rating: 4 });
  });

  it('disputes through the page: the appeal is reopened', async () => {
    const b = await resolvedWithLink();
    const form = formOf((await page(`/feedback/${b.token}`)).html);
    const res = await post(b.token, { form, lang: 'kk', action: 'dispute', comment: 'Люк снова открыт' });
    expect(res.status).toBe(303);
    expect(await ratingOf(b.id)).toMatchObject({ status: 'reopened' });
    expect((await page(res.headers.get('location')!)).html).toContain('Өтініш қайта ашылып');
  });

  it('refuses a post without this page’s form token, from another site, or with a missing field; nothing is recorded', async () => {
    const b = await resolvedWithLink();
    const form = formOf((await page(`/feedback/${b.token}`)).html);
    const other = formOf((await page(`/feedback/${a.token}`)).html);
    const noToken = await post(b.token, { action: 'rate', rating: '5' });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('Страница устарела');
    expect((await post(b.token, { form: other, action: 'rate', rating: '5' })).status).toBe(403);
    expect((await post(b.token, { form: form.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')), action: 'rate', rating: '5' })).status).toBe(
      403,
    );
    const crossSite = await post(b.token, { form, action: 'rate', rating: '5' }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const foreign = await post(b.token, { form, action: 'rate', rating: '5' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const noRating = await post(b.token, { form, lang: 'en', action: 'rate', comment: 'keep me' });
    expect(noRating.status).toBe(400);
    const html = await noRating.text();
    expect(html).toContain('Choose a rating from 1 to 5.');
    expect(html).toContain('keep me');
    const noComment = await post(b.token, { form, action: 'dispute', comment: '  ' });
    expect(noComment.status).toBe(400);
    expect(await noComment.text()).toContain('Напишите, что не так.');
    expect((await post(b.token, { form, action: 'rate', rating: '9' })).status).toBe(400);
    expect(await ratingOf(b.id)).toMatchObject({ rating: null, status: 'resolved' });
  });

  it('escapes what it shows back', async () => {
    const b = await resolvedWithLink('<img src=x onerror=alert(1)> готово');
    const p = await page(`/feedback/${b.token}`);
    expect(p.html).not.toContain('<img src=x');
    expect(p.html).toContain('&lt;img src=x onerror=alert(1)&gt; готово');
    const form = formOf(p.html);
    const res = await post(b.token, { form, action: 'rate', comment: '"><script>alert(1)</script>' });
    expect(await res.text()).toContain('&quot;&gt;&lt;script&gt;');
  });
});
