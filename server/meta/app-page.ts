import type { Context } from 'hono';
import type pg from 'pg';
import { centreFace, readCentreFace, type CentreFace } from './centre.ts';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/**
 * The single-page app's index.html with the city pack's face: the page title is the centre's
 * name ("NYC 311", "Jardem 109") in the city's language, `<html lang>` that language, and the
 * icon shows the centre's number. The client then runs in whatever language the user picks.
 */
export function pageWithCentre(html: string, face: CentreFace): string {
  return html
    .replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(face.centre)}</title>`)
    .replace(/<html lang="[^"]*"/, `<html lang="${face.lang}"`)
    .replace(/%3E109%3C/g, `%3E${encodeURIComponent(escapeHtml(face.phone))}%3C`);
}

/**
 * The handler of the app's pages. The city is read per page load (one small row); with the
 * database down the page still loads, under the default face, and the client reports the outage.
 */
export function appPage(pool: pg.Pool, html: string) {
  return async (c: Context) => {
    const face = await readCentreFace(pool).catch(() => centreFace(undefined));
    return c.html(pageWithCentre(html, face));
  };
}
