import { Hono, type Context } from 'hono';
import { readFormBody } from '../input-checks.ts';
import { bodyLimit } from 'hono/body-limit';
import { openCors } from '../open-cors.ts';
import { getCatalog } from '../catalog.ts';
import { type AppEnv, type Deps, readPoolOf } from '../context.ts';
import { AppError } from '../errors.ts';
import { publicBase } from '../public-url.ts';
import { ATTRIBUTES } from './attributes.ts';
import { discovery } from './discovery.ts';
import { bad, unknown } from './errors.ts';
import { pickLang, render, splitFormat, type Format } from './format.ts';
import { postRequest } from './post-request.ts';
import { getRequest, listRequests, listServices } from './queries.ts';
import { requestQuery } from './request-query.ts';

/** `name.json|xml` split, or a 404: GeoReport v2 paths always name their format. */
function formatOf(file: string, expect: string | null = null): { name: string; format: Format } {
  const f = splitFormat(file);
  if (!f || (expect !== null && f.name !== expect)) throw unknown('Not found: use a .json or .xml path.');
  return f;
}

/**
 * CORS of /open311 for browser apps on other origins: reads are public, and a POST needs an
 * api_key anyway. createApp puts it before the limiter and the checks, so refusals carry it too.
 */
export const open311Cors = () =>
  openCors({
    allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Accept-Language'],
    maxAge: 86_400,
  });

/**
 * Open311 GeoReport v2 at /open311/v2: public reads, posts with an admin-issued API key. Every
 * refusal and failure is thrown: errors.ts answers it in Open311's error format (json or xml).
 */
export function open311Routes(deps: Deps) {
  const { pool, config } = deps;
  // GETs read the replica when there is one (h-replica); a POST registers on the primary.
  const reads = readPoolOf(deps);
  const opts = (c: Context<AppEnv>) => ({
    lang: pickLang(c.req.header('accept-language')),
    extensions: c.req.query('extensions') === 'true',
  });
  // A request just posted may not have reached the replica yet: one not found there is looked up on the primary.
  const findRequest = async (id: number, o: ReturnType<typeof opts>) =>
    (await getRequest(reads, id, o)) ?? (reads === pool ? null : await getRequest(pool, id, o));

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
        onError: () => {
          throw new AppError(413, 'payload_too_large', 'The request body is too large.');
        },
      }),
    )
    .get('/services/:file', async (c) => {
      const { format, name: code } = formatOf(c.req.param('file'));
      const [svc] = await listServices(reads, opts(c).lang, code);
      if (!svc) throw unknown(`Unknown service_code: ${code}`);
      const def = { service_code: code, attributes: ATTRIBUTES[code] ?? [] };
      const xml = {
        service_code: code,
        attributes: { attribute: def.attributes.map((a) => ({ ...a, values: { value: a.values ?? [] } })) },
      };
      return render(format, def, { root: 'service_definition', item: null, value: xml });
    })
    .get('/requests/:file', async (c) => {
      const { format, name: id } = formatOf(c.req.param('file'));
      if (!/^\d{1,15}$/.test(id)) throw unknown(`Unknown service_request_id: ${id}`);
      const req = await findRequest(Number(id), opts(c));
      if (!req) throw unknown(`Unknown service_request_id: ${id}`);
      return inLanguage(c, render(format, [req], { root: 'service_requests', item: 'request' }));
    })
    .get('/tokens/:file', async (c) => {
      const { format, name: token } = formatOf(c.req.param('file'));
      // Intake is synchronous: the token POST would answer is the request id itself.
      const req = /^\d{1,15}$/.test(token) ? await findRequest(Number(token), opts(c)) : null;
      if (!req) throw unknown(`Unknown token: ${token}`);
      const out = [{ service_request_id: req.service_request_id, token }];
      return render(format, out, { root: 'service_requests', item: 'request' });
    })
    .get('/:file', async (c) => {
      const { format, name } = formatOf(c.req.param('file'));
      if (name === 'discovery') {
        const d = discovery(publicBase(c, config));
        const xml = { ...d, endpoints: { endpoint: d.endpoints.map((e) => ({ ...e, formats: { format: e.formats } })) } };
        return render(format, d, { root: 'discovery', item: null, value: xml });
      }
      if (name === 'services') {
        return inLanguage(c, render(format, await listServices(reads, opts(c).lang), { root: 'services', item: 'service' }));
      }
      if (name === 'requests') {
        const catalog = await getCatalog(reads);
        const q = requestQuery(c.req.query(), (code) => catalog.categories.get(code)?.id);
        return inLanguage(c, render(format, await listRequests(reads, q, opts(c)), { root: 'service_requests', item: 'request' }));
      }
      throw unknown(`Not found: ${name}`);
    })
    .post('/:file', async (c) => {
      const { format } = formatOf(c.req.param('file'), 'requests');
      const type = c.req.header('content-type') ?? '';
      if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type))
        throw bad('Send the request form-encoded (application/x-www-form-urlencoded)');
      const out = await postRequest(pool, await readFormBody(c, true), c.req.query('api_key'));
      return render(format, out, { root: 'service_requests', item: 'request' });
    })
    .all('*', () => {
      throw unknown('Not found: see /open311/v2/discovery.json');
    });
}
