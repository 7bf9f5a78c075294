import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { isDatabaseOutage, OUTAGE_RETRY_AFTER_S } from '../db/outage.ts';
import type { SessionUser } from '../domain/roles.ts';
import { AppError, DATABASE_UNAVAILABLE } from '../errors.ts';
import { createIncident, IntakeSchema } from '../lifecycle/intake.ts';
import { MAX_YEAR, MIN_YEAR, parseInstant } from '../instants.ts';
import { log } from '../log.ts';
import { publicBase } from '../public-url.ts';
import { geocodeId, geocodeText } from '../places/geocode.ts';
import { apiKeyFor } from './api-keys.ts';
import { ATTRIBUTES, checkAttributes } from './attributes.ts';
import { bad, Open311Error, pickLang, render, renderError, splitFormat, type Format } from './format.ts';
import { getRequest, keepReporterContact, listRequests, listServices, type RequestQuery } from './queries.ts';

const SPEC = 'http://wiki.open311.org/GeoReport_v2';
const DAY_MS = 86_400_000;
const WINDOW_DAYS = 90;
const MAX_PAGE_SIZE = 1000;

/** Resolves `name.json|xml`, runs `fn`, and turns any failure into Open311's error shape. */
async function handle(c: Context<AppEnv>, file: string, expect: string | null, fn: (format: Format, name: string) => Promise<Response>) {
  const f = splitFormat(file);
  if (!f || (expect !== null && f.name !== expect)) return renderError(f?.format ?? 'json', 404, 'Not found: use a .json or .xml path.');
  try {
    return await fn(f.format, f.name);
  } catch (err) {
    if (err instanceof Open311Error) return renderError(f.format, err.status, err.message);
    if (err instanceof AppError) {
      // Intake's own checks (unknown category, point outside the city...) are bad input here.
      const status = err.status === 403 || err.status === 404 ? err.status : err.status >= 500 ? 500 : 400;
      const detail = err.details.map((d) => d.message).join('; ');
      return renderError(f.format, status, detail ? `${err.message} (${detail})` : err.message);
    }
    if (isDatabaseOutage(err)) {
      log.warn({ err: (err as Error).message, path: c.req.path }, 'database unavailable');
      const res = renderError(f.format, 503, DATABASE_UNAVAILABLE);
      res.headers.set('Retry-After', String(OUTAGE_RETRY_AFTER_S));
      return res;
    }
    log.error({ err, path: c.req.path }, 'open311 error');
    return renderError(f.format, 500, 'Internal error; it has been logged.');
  }
}

function parseDate(v: string | undefined, name: string): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const at = parseInstant(v);
  if (!at) throw bad(`${name} must be a W3C date-time in ${MIN_YEAR}–${MAX_YEAR}, e.g. 2026-11-01T00:00:00Z`);
  return new Date(at.ms);
}

function parseInt10(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) throw bad(`${name} must be an integer from ${min} to ${max}`);
  return Number(v);
}

/** The GET requests parameters (DESIGN: 90-day default and maximum window). */
export function requestQuery(q: Record<string, string | undefined>, categoryId: (code: string) => number | undefined): RequestQuery {
  const out: RequestQuery = { start: new Date(0), end: new Date(), page: 1, pageSize: 50 };
  if (q.service_request_id !== undefined) {
    const ids = q.service_request_id.split(',').map((s) => s.trim());
    if (!ids.length || ids.length > 100 || ids.some((s) => !/^\d{1,15}$/.test(s)))
      throw bad('service_request_id must be a comma-separated list of up to 100 request ids');
    out.ids = ids.map(Number);
  }
  if (q.service_code) {
    const codes = q.service_code.split(',').map((s) => s.trim());
    out.categoryIds = codes.map((code) => {
      const id = categoryId(code);
      if (id === undefined) throw bad(`Unknown service_code: ${code}`);
      return id;
    });
  }
  const start = parseDate(q.start_date, 'start_date');
  const end = parseDate(q.end_date, 'end_date');
  out.end = end ?? (start ? new Date(Math.min(start.getTime() + WINDOW_DAYS * DAY_MS, Date.now())) : new Date());
  out.start = start ?? new Date(out.end.getTime() - WINDOW_DAYS * DAY_MS);
  if (out.start > out.end) throw bad('start_date must not be after end_date');
  if (out.end.getTime() - out.start.getTime() > WINDOW_DAYS * DAY_MS) throw bad(`The date window may span at most ${WINDOW_DAYS} days`);
  if (q.status) {
    const st = q.status.split(',').map((s) => s.trim());
    if (st.some((s) => s !== 'open' && s !== 'closed')) throw bad('status must be open or closed');
    out.status = st as ('open' | 'closed')[];
  }
  out.updatedAfter = parseDate(q.updated_after, 'updated_after');
  out.updatedBefore = parseDate(q.updated_before, 'updated_before');
  out.page = parseInt10(q.page, 'page', 1, 100_000, 1);
  out.pageSize = parseInt10(q.page_size, 'page_size', 1, MAX_PAGE_SIZE, 50);
  return out;
}

const one = (v: string | File | (string | File)[] | undefined): string | undefined =>
  Array.isArray(v) ? one(v[v.length - 1]) : typeof v === 'string' ? v : undefined;

/**
 * CORS of /open311 for browser apps on other origins: reads are public, and a POST needs an
 * api_key anyway. createApp puts it before the limiter and the checks, so refusals carry it too.
 */
export const open311Cors = () =>
  cors({
    origin: '*',
    allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Accept-Language'],
    maxAge: 86_400,
  });

/** Open311 GeoReport v2 at /open311/v2: public reads, posts with an admin-issued API key. */
export function open311Routes({ pool, config }: Deps) {
  const opts = (c: Context<AppEnv>) => ({
    lang: pickLang(c.req.header('accept-language')),
    extensions: c.req.query('extensions') === 'true',
  });

  /** A list in the language Accept-Language picked: caches and clients are told so. */
  const inLanguage = (c: Context<AppEnv>, res: Response) => {
    res.headers.set('Vary', 'Accept-Language');
    res.headers.set('Content-Language', opts(c).lang);
    return res;
  };

  return new Hono<AppEnv>()
    .use(
      '*',
      bodyLimit({
        maxSize: 64 * 1024,
        onError: (c) => renderError(/\.xml$/.test(c.req.path) ? 'xml' : 'json', 413, 'The request body is too large.'),
      }),
    )
    .get('/services/:file', (c) =>
      handle(c, c.req.param('file'), null, async (format, code) => {
        const [svc] = await listServices(pool, opts(c).lang, code);
        if (!svc) throw new Open311Error(404, `Unknown service_code: ${code}`);
        const def = { service_code: code, attributes: ATTRIBUTES[code] ?? [] };
        const xml = {
          service_code: code,
          attributes: { attribute: def.attributes.map((a) => ({ ...a, values: { value: a.values ?? [] } })) },
        };
        return render(format, def, { root: 'service_definition', item: null, value: xml });
      }),
    )
    .get('/requests/:file', (c) =>
      handle(c, c.req.param('file'), null, async (format, id) => {
        if (!/^\d{1,15}$/.test(id)) throw new Open311Error(404, `Unknown service_request_id: ${id}`);
        const req = await getRequest(pool, Number(id), opts(c));
        if (!req) throw new Open311Error(404, `Unknown service_request_id: ${id}`);
        return inLanguage(c, render(format, [req], { root: 'service_requests', item: 'request' }));
      }),
    )
    .get('/tokens/:file', (c) =>
      handle(c, c.req.param('file'), null, async (format, token) => {
        // Intake is synchronous: the token POST would answer is the request id itself.
        const req = /^\d{1,15}$/.test(token) ? await getRequest(pool, Number(token), opts(c)) : null;
        if (!req) throw new Open311Error(404, `Unknown token: ${token}`);
        const out = [{ service_request_id: req.service_request_id, token }];
        return render(format, out, { root: 'service_requests', item: 'request' });
      }),
    )
    .get('/:file', (c) =>
      handle(c, c.req.param('file'), null, async (format, name) => {
        if (name === 'discovery') {
          const base = publicBase(c, config);
          const d = {
            changeset: '2026-11-24T00:00:00Z',
            contact: 'Jardem, the 109 centre of the city',
            key_service: 'API keys are issued by the centre administrator (/api/admin/api-keys).',
            endpoints: [
              {
                specification: SPEC,
                url: `${base}/open311/v2`,
                changeset: '2026-11-24T00:00:00Z',
                type: 'production',
                formats: ['application/json', 'text/xml'],
              },
            ],
          };
          const xml = { ...d, endpoints: { endpoint: d.endpoints.map((e) => ({ ...e, formats: { format: e.formats } })) } };
          return render(format, d, { root: 'discovery', item: null, value: xml });
        }
        if (name === 'services') {
          return inLanguage(c, render(format, await listServices(pool, opts(c).lang), { root: 'services', item: 'service' }));
        }
        if (name === 'requests') {
          const catalog = await getCatalog(pool);
          const q = requestQuery(c.req.query(), (code) => catalog.categories.get(code)?.id);
          return inLanguage(c, render(format, await listRequests(pool, q, opts(c)), { root: 'service_requests', item: 'request' }));
        }
        throw new Open311Error(404, `Not found: ${name}`);
      }),
    )
    .post('/:file', (c) =>
      handle(c, c.req.param('file'), 'requests', async (format) => {
        const type = c.req.header('content-type') ?? '';
        if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type))
          throw bad('Send the request form-encoded (application/x-www-form-urlencoded)');
        const body = await c.req.parseBody({ all: true });
        const field = (k: string) => one(body[k])?.trim() || undefined;
        const key = await apiKeyFor(pool, field('api_key') ?? c.req.query('api_key') ?? '');
        if (!key) throw new Open311Error(403, 'Invalid or revoked api_key');
        const code = field('service_code');
        if (!code) throw bad('service_code is required');
        const [svc] = await listServices(pool, 'ru', code);
        if (!svc) throw bad(`Unknown service_code: ${code}`);

        const attrs = new Map<string, string[]>();
        for (const [k, v] of Object.entries(body)) {
          const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(k);
          if (!m) continue;
          const vals = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
          attrs.set(m[1], [...(attrs.get(m[1]) ?? []), ...vals]);
        }
        const checked = checkAttributes(code, attrs);
        if ('error' in checked) throw bad(checked.error);

        const lat = field('lat');
        const lng = field('long');
        let x: number;
        let y: number;
        let placedAt: string | undefined;
        if (lat === undefined || lng === undefined) {
          // No coordinates: place the request by address_id (a place id from /api/places/search)
          // or by geocoding address_string, when the geocoder is sure enough.
          const id = field('address_id');
          const text = field('address_string');
          if (!id && !text) throw bad('A location is required: lat and long, or address_string or address_id');
          if (id && !/^\d{1,15}$/.test(id)) throw bad('address_id must be a place id from /api/places/search');
          if (text && text.length > 200) throw bad('address_string is longer than 200 characters');
          const place = id ? await geocodeId(pool, Number(id)) : await geocodeText(pool, text!);
          if (!place)
            throw bad(
              id
                ? `address_id ${id} is not a known place: send lat and long`
                : 'address_string matches no address, crossing or street with enough confidence: send lat and long',
            );
          [x, y] = place.point;
          placedAt = text ?? place.label;
        } else {
          [y, x] = [Number(lat), Number(lng)];
          if (!Number.isFinite(y) || !Number.isFinite(x) || Math.abs(y) > 90 || Math.abs(x) > 180)
            throw bad('lat and long must be WGS 84 degrees');
        }

        const name = [field('first_name'), field('last_name')].filter(Boolean).join(' ') || undefined;
        const phone = field('phone');
        const description = [field('description') ?? svc.service_name, ...checked.lines].join('\n');
        const parsed = IntakeSchema.safeParse({
          type: 'service_request',
          category: code,
          channel: 'app',
          description,
          location: { type: 'Point', coordinates: [x, y] },
          address: field('address_string') ?? placedAt,
          reporter: name || phone ? { name, phone } : undefined,
          photo_url: field('media_url'),
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const path = issue.path
            .join('.')
            .replace(/^photo_url$/, 'media_url')
            .replace(/^reporter\./, '');
          throw bad(`${path || 'request'}: ${issue.message}`);
        }
        const email = field('email');
        if (email && (email.length > 200 || !/^[^\s@]+@[^\s@]+$/.test(email))) throw bad('email is not an e-mail address');

        // The appeal is registered in the name of the admin who issued the key.
        const registrar: SessionUser = {
          // created_by is NULL only if that admin was deleted: the appeal then has no registrar.
          id: key.created_by as number,
          login: `api-key:${key.id}`,
          name: key.name,
          role: 'admin',
          districtIds: [],
          serviceId: null,
        };
        const { body: created } = await createIncident(pool, parsed.data, registrar);
        if (email) {
          // Personal data: kept with the reporter, never returned.
          await keepReporterContact(pool, created.id, email);
        }
        const out = [
          {
            service_request_id: String(created.id),
            service_notice: `${created.number}; expected by ${created.due_at}`,
            account_id: null,
          },
        ];
        return render(format, out, { root: 'service_requests', item: 'request' });
      }),
    );
}
