/**
 * The HTML side of OGC API – Features: plain server-rendered pages for people who open the
 * links in a browser. Every value goes through `esc`.
 */

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1c2430;background:#f6f7f9}
header{background:#14324f;color:#fff;padding:12px 24px}header a{color:#fff}
main{padding:16px 24px;max-width:1200px}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #d5dae1;padding:4px 8px;text-align:left;vertical-align:top;white-space:nowrap}
th{background:#eef1f5}
td.t{white-space:normal;min-width:220px;max-width:480px;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
nav.pages a{margin-right:16px}
code{background:#eef1f5;padding:1px 4px;border-radius:3px}
.muted{color:#5b6675}`;

/** A whole page: title, breadcrumb of links, body HTML. */
export function page(title: string, crumbs: { href: string; text: string }[], body: string, jsonHref: string): string {
  const trail = crumbs.map((c) => `<a href="${esc(c.href)}">${esc(c.text)}</a>`).join(' / ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} — Jardem OGC API</title><style>${STYLE}</style></head>
<body><header>${trail}</header><main><h1>${esc(title)}</h1>${body}
<p class="muted">This page as <a href="${esc(jsonHref)}">JSON</a>.</p></main></body></html>`;
}

export function linkList(links: Link[]): string {
  return `<ul>${links.map((l) => `<li><a href="${esc(l.href)}">${esc(l.title ?? l.rel)}</a> <span class="muted">(${esc(l.rel)}${l.type ? `, ${esc(l.type)}` : ''})</span></li>`).join('')}</ul>`;
}

/** A date-time for people: `2026-03-21 10:00 UTC`. */
export const when = (v: unknown): string => {
  const d = v instanceof Date ? v : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : String(v ?? '');
};

/** Columns of free text, which wrap. */
const TEXT_COLUMNS = new Set(['address', 'description', 'name_kk', 'name_ru', 'name_en']);

/** A table of features: id, then the listed properties, then the position. */
export function featureTable(
  features: { id: unknown; geometry: any; properties: Record<string, unknown> }[],
  columns: string[],
  itemHref: (id: unknown) => string,
): string {
  const head = `<tr><th>id</th>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}<th>position</th></tr>`;
  const rows = features.map((f) => {
    const cells = columns.map((c) => {
      const v = f.properties[c];
      return `<td${TEXT_COLUMNS.has(c) ? ' class="t"' : ''}>${esc(c.endsWith('_at') ? when(v) : v)}</td>`;
    });
    const pos = f.geometry?.type === 'Point' ? f.geometry.coordinates.map((n: number) => n.toFixed(6)).join(', ') : esc(f.geometry?.type);
    return `<tr><td><a href="${esc(itemHref(f.id))}">${esc(f.id)}</a></td>${cells.join('')}<td>${pos}</td></tr>`;
  });
  return `<div class="scroll"><table>${head}${rows.join('')}</table></div>`;
}
