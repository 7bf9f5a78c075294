import { type Context, Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';
import { assertSameSite } from '../auth/csrf.ts';
import { notFound } from '../errors.ts';
import { linkKey } from '../lifecycle/tokens.ts';
import { postFeedbackPage, showFeedbackPage } from './feedback-page.ts';

/**
 * The citizens' pages (DESIGN.md: pages, not JSON): `/feedback/<token>`, rendered here with no
 * script, and `/public`, the portal's own small entry of the built client (`portalHtml`, its
 * client-side sections under /public/...). No sign-in; nothing personal in either.
 */
export function publicPages({ pool, config }: Deps, portalHtml?: string) {
  const key = linkKey(config);
  const pages = new Hono<AppEnv>()
    .get('/feedback/:token', (c) => showFeedbackPage(c, pool, key, c.req.param('token')))
    .post('/feedback/:token', (c) => {
      // An anonymous form post: no session to bind a CSRF token to, so the page's own form
      // token (form-token.ts) and the browser's same-site headers decide.
      assertSameSite(c, config);
      return postFeedbackPage(c, pool, key, c.req.param('token'));
    });
  const portal = (c: Context) => {
    if (!portalHtml) throw notFound('The portal (the client is not built: npm run build)');
    c.header('Cache-Control', 'no-cache');
    return c.html(portalHtml);
  };
  return pages.get('/public', portal).get('/public/*', portal);
}
