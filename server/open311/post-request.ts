import type pg from 'pg';
import type { SessionUser } from '../domain/roles.ts';
import { createIncident, IntakeSchema, type IntakeInput } from '../lifecycle/intake.ts';
import { geocodeId, geocodeText } from '../places/geocode.ts';
import { apiKeyFor } from './api-keys.ts';
import { checkAttributes } from './attributes.ts';
import { bad, refused } from './errors.ts';
import { listServices } from './queries.ts';
import { serviceNotice } from './service-notice.ts';

/** A posted form: each field's values (a repeated field has several). */
export type Form = Record<string, string | File | (string | File)[]>;

const one = (v: string | File | (string | File)[] | undefined): string | undefined =>
  Array.isArray(v) ? one(v[v.length - 1]) : typeof v === 'string' ? v : undefined;

/** `attribute[code]` and `attribute[code][]` fields, by code. */
function attributesOf(body: Form): Map<string, string[]> {
  const attrs = new Map<string, string[]>();
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(k);
    if (!m) continue;
    const vals = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    attrs.set(m[1], [...(attrs.get(m[1]) ?? []), ...vals]);
  }
  return attrs;
}

/**
 * Where the request is, `[lng, lat]` in degrees: lat and long, or else the place of `address_id`
 * (a place id from /api/places/search) or of `address_string` when the geocoder is sure enough.
 */
async function locate(pool: pg.Pool, field: (k: string) => string | undefined): Promise<{ point: [number, number]; label?: string }> {
  const lat = field('lat');
  const lng = field('long');
  if (lat !== undefined && lng !== undefined) {
    const [y, x] = [Number(lat), Number(lng)];
    if (!Number.isFinite(y) || !Number.isFinite(x) || Math.abs(y) > 90 || Math.abs(x) > 180)
      throw bad('lat and long must be WGS 84 degrees');
    return { point: [x, y] };
  }
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
  return { point: place.point, label: text ?? place.label };
}

/** The form as an intake body, or a 400 naming the Open311 field at fault. */
function intakeOf(form: Record<string, unknown>): IntakeInput {
  const parsed = IntakeSchema.safeParse(form);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path
    .join('.')
    .replace(/^photo_url$/, 'media_url')
    .replace(/^reporter\./, '');
  throw bad(`${path || 'request'}: ${issue.message}`);
}

/**
 * POST /requests: checks the api_key, the service and its attributes, places the request and
 * registers it as an appeal in the name of the admin who issued the key. The e-mail goes in with
 * the appeal, in its transaction: both or neither.
 */
export async function postRequest(pool: pg.Pool, body: Form, queryKey: string | undefined) {
  const field = (k: string) => one(body[k])?.trim() || undefined;
  const key = await apiKeyFor(pool, field('api_key') ?? queryKey ?? '');
  if (!key) throw refused('Invalid or revoked api_key');
  const code = field('service_code');
  if (!code) throw bad('service_code is required');
  const [svc] = await listServices(pool, 'ru', code);
  if (!svc) throw bad(`Unknown service_code: ${code}`);
  const checked = checkAttributes(code, attributesOf(body));
  if ('error' in checked) throw bad(checked.error);
  const place = await locate(pool, field);

  const name = [field('first_name'), field('last_name')].filter(Boolean).join(' ') || undefined;
  const phone = field('phone');
  const input = intakeOf({
    type: 'service_request',
    category: code,
    channel: 'app',
    description: [field('description') ?? svc.service_name, ...checked.lines].join('\n'),
    location: { type: 'Point', coordinates: place.point },
    address: field('address_string') ?? place.label,
    reporter: name || phone ? { name, phone } : undefined,
    photo_url: field('media_url'),
    // Filed by an app with no dispatcher on the line: a dispatcher looks at it first (triage).
    triage: true,
  });
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
  // Personal data: the e-mail is kept with the reporter, never returned.
  const { body: created } = await createIncident(pool, input, registrar, undefined, email);
  return [{ service_request_id: String(created.id), service_notice: serviceNotice(created.number), account_id: null }];
}
