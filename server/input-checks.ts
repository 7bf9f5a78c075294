import type { Context, MiddlewareHandler } from 'hono';
import { AppError, badRequest, type ErrorDetail } from './errors.ts';

/**
 * Text a client sends, checked once for every route before any handler or database sees it:
 * PostgreSQL's text cannot hold U+0000 (NUL), a lone UTF-16 surrogate is not a character at
 * all, and bytes that are not UTF-8 would be silently replaced. Any of these in the path, the
 * query string or a JSON, form or multipart body is a 400 `bad_request` naming the field,
 * instead of a 500 from the database (issue 15, finding 8).
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text may not be stored, or null when it may. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate';
  return null;
}

/** A percent-encoded URL part, decoded strictly; null when it is not UTF-8. */
export function decodeStrict(part: string, plusIsSpace = false): string | null {
  try {
    return decodeURIComponent(plusIsSpace ? part.replace(/\+/g, ' ') : part);
  } catch {
    return null;
  }
}

const INVALID_ENCODING = 'is not valid percent-encoded UTF-8';

/** Problems of a path: each segment must decode to storable text. */
export function pathProblems(pathname: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const segment of pathname.split('/')) {
    if (!segment) continue;
    const text = decodeStrict(segment);
    const problem = text === null ? INVALID_ENCODING : textProblem(text);
    if (problem) out.push({ path: 'path', message: `a path segment ${problem}` });
  }
  return out;
}

/** Problems of an `a=1&b=2` text (a query string or a form body), by field name. */
export function formProblems(text: string, where: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const key = decodeStrict(rawKey, true);
    const value = eq < 0 ? '' : decodeStrict(pair.slice(eq + 1), true);
    const name = key === null ? where : textProblem(key) ? `${where} name` : key;
    const problem = key === null || value === null ? INVALID_ENCODING : (textProblem(key) ?? textProblem(value));
    if (problem) out.push({ path: name, message: `${name} ${problem}` });
  }
  return out;
}

/** Problems of a parsed JSON value: every string and every key, with its path. */
export function jsonProblems(value: unknown, path = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const walk = (v: unknown, at: string, depth: number) => {
    if (out.length >= 10 || depth > 64) return;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) out.push({ path: at || 'body', message: `${at || 'body'} ${problem}` });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, at ? `${at}.${i}` : String(i), depth + 1));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const keyProblem = textProblem(k);
        if (keyProblem) out.push({ path: at || 'body', message: `a field name ${keyProblem}` });
        walk(x, at ? `${at}.${k}` : k, depth + 1);
      }
    }
  };
  walk(value, path, 0);
  return out;
}

/** The same JSON value with NUL removed and lone surrogates replaced (for messengers' webhooks). */
export function scrubJson<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replaceAll('\u0000', '').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd') as T;
  }
  if (Array.isArray(value)) return value.map(scrubJson) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubJson(k), scrubJson(v)])) as T;
  }
  return value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Problems of a request body, by its content type; bodies of other types are the route's business. */
async function bodyProblems(req: Request): Promise<ErrorDetail[]> {
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  const json = /^application\/([\w.-]+\+)?json\b/.test(type);
  const form = type.startsWith('application/x-www-form-urlencoded');
  const multipart = type.startsWith('multipart/form-data');
  if (!req.body || !(json || form || multipart)) return [];
  // A copy: the original stream stays unread for the route (and for its own body limit).
  const copy = req.clone();
  if (multipart) {
    let data: FormData;
    try {
      data = await copy.formData();
    } catch {
      return []; // a malformed body is refused by the route that reads it
    }
    const out: ErrorDetail[] = [];
    for (const [k, v] of data) {
      const problem = textProblem(k) ?? (typeof v === 'string' ? textProblem(v) : null);
      if (problem) out.push({ path: k, message: `${k} ${problem}` });
    }
    return out;
  }
  let text: string;
  try {
    text = utf8.decode(await copy.arrayBuffer());
  } catch (err) {
    if (err instanceof TypeError) return [{ path: 'body', message: 'the request body is not valid UTF-8' }];
    throw err; // e.g. the body limit's 413
  }
  if (form) return formProblems(text, 'body');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return []; // broken JSON: the route's own 400
  }
  return jsonProblems(value);
}

/** Messengers' webhooks: a citizen's message is cleaned, not refused (a refusal is redelivered for days). */
const SCRUBBED_BODIES = /^\/api\/channels\/[a-z]+\/webhook$/;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The 400 for the first problems found. */
function refusal(problems: ErrorDetail[]): AppError {
  const names = [...new Set(problems.map((p) => p.path))].join(', ');
  return badRequest(`Invalid text in ${names}: NUL characters, lone surrogates and bytes that are not UTF-8 are refused.`, problems);
}

/**
 * Checks the path, the query string and the body of every request it sees; `answer` writes
 * the refusal (the JSON error shape by default; Open311 has its own).
 */
export function inputChecks(answer?: (c: Context, err: AppError) => Response): MiddlewareHandler {
  return async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    const pathname = new URL(url).pathname;
    const problems = [...pathProblems(pathname), ...(q >= 0 ? formProblems(url.slice(q + 1).split('#')[0], 'query') : [])];
    if (!problems.length && METHODS_WITH_BODY.has(c.req.method) && !SCRUBBED_BODIES.test(pathname)) {
      problems.push(...(await bodyProblems(c.req.raw)));
    }
    if (problems.length) {
      const err = refusal(problems);
      if (answer) return answer(c, err);
      throw err;
    }
    await next();
  };
}

/**
 * A route's form body (urlencoded or multipart); one that does not parse — a multipart body with
 * a broken boundary — is a 400, never a 500.
 */
export async function readFormBody(c: Context, all = false): Promise<Record<string, string | File | (string | File)[]>> {
  try {
    return await c.req.parseBody({ all });
  } catch (err) {
    if (!(err instanceof TypeError)) throw err; // e.g. the body limit's 413
    throw badRequest('The form body could not be read.', [{ path: 'body', message: 'malformed form data' }]);
  }
}
