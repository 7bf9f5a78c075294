import { XMLBuilder } from 'fast-xml-parser';
import type { HttpError } from '../errors.ts';

/** The two representations GeoReport v2 offers, chosen by the path's extension. */
export type Format = 'json' | 'xml';

/** Splits `name.json` / `name.xml` (the last dot: category codes contain dots); null otherwise. */
export function splitFormat(file: string): { name: string; format: Format } | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? { name: m[1], format: m[2] as Format } : null;
}

const builder = new XMLBuilder({ format: true, ignoreAttributes: false, suppressEmptyNode: false });

/** Null becomes an empty element; dates their ISO text; arrays repeat the element. */
function xmlValue(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(xmlValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, xmlValue(x)]));
  return v;
}

/** `{root: {item: [...]}}` as an XML document. */
export function toXml(root: string, item: string | null, value: unknown): string {
  const body = item === null ? xmlValue(value) : { [item]: xmlValue(value) };
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [root]: body })}`;
}

export function render(format: Format, value: unknown, xml: { root: string; item: string | null; value?: unknown }, status = 200) {
  if (format === 'json') {
    return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  }
  return new Response(toXml(xml.root, xml.item, xml.value ?? value), { status, headers: { 'content-type': 'text/xml; charset=utf-8' } });
}

export function renderError(format: Format, status: number, description: string): Response {
  const errors = [{ code: status, description }];
  return render(format, errors, { root: 'errors', item: 'error' }, status);
}

/**
 * An error of errors.ts's table in GeoReport v2's shape, in the format the path names (`.xml`,
 * else JSON). Intake's refusals of the content (409, 422: outside the city, a reused key) are the
 * 400 the spec knows; the other statuses (401, 403, 404, 413, 429, 5xx) stay as they are.
 */
export function renderOpen311Error(path: string, e: Pick<HttpError, 'status' | 'message' | 'details'>): Response {
  const status = e.status === 409 || e.status === 422 ? 400 : e.status;
  const detail = e.details.map((d) => d.message).join('; ');
  return renderError(/\.xml$/.test(path) ? 'xml' : 'json', status, detail ? `${e.message} (${detail})` : e.message);
}

/** Languages of service names: the first of kk/ru/en the client accepts (by q), else ru. */
export type Lang = 'kk' | 'ru' | 'en';

export function pickLang(header: string | undefined): Lang {
  if (!header) return 'ru';
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { lang: tag.split('-')[0], q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) if (r.lang === 'kk' || r.lang === 'ru' || r.lang === 'en') return r.lang;
  return 'ru';
}
