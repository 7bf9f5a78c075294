import { z } from 'zod';
import { idsForCodes, type Catalog } from '../catalog.ts';
import { isOpen, openSql, overdueSql, STATUSES } from '../domain/statuses.ts';
import { INSTANT_MESSAGE, instantMs, isInstant } from '../instants.ts';

export const INCIDENT_TYPES = ['complaint', 'incident', 'problem', 'service_request', 'information_request'] as const;
export const CHANNELS = ['phone', 'telegram', 'whatsapp', 'facebook', 'web', 'app', 'walk_in'] as const;

/** "a,b" or ["a","b"] or repeated keys -> a de-duplicated list. */
const list = <T extends z.ZodType<string, string>>(item: T, max = 50) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [
      ...new Set(
        (Array.isArray(v) ? v : [v])
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(item).max(max));

const code = z.string().regex(/^[a-z0-9_.-]{1,128}$/, 'not a valid code');

/** A real calendar date (2026-02-30 is not) in 1900–2200 with an optional ISO time and offset (server/instants.ts). */
const instant = z.string().max(40).refine(isInstant, { message: INSTANT_MESSAGE });

const bbox = z
  .string()
  .max(200)
  .transform((s, ctx) => {
    const n = s.split(',').map((x) => Number(x.trim()));
    if (n.length !== 4 || n.some((x) => !Number.isFinite(x))) {
      ctx.addIssue({ code: 'custom', message: 'expected four numbers: minLng,minLat,maxLng,maxLat' });
      return z.NEVER;
    }
    const [minLng, minLat, maxLng, maxLat] = n;
    if (minLng < -180 || maxLng > 180 || minLat < -90 || maxLat > 90 || minLng > maxLng || minLat > maxLat) {
      ctx.addIssue({ code: 'custom', message: 'must be minLng,minLat,maxLng,maxLat within -180..180 and -90..90, min ≤ max' });
      return z.NEVER;
    }
    return n as [number, number, number, number];
  });

/** The filters shared by the incident list, district counts, statistics and exports. */
export const IncidentFilterSchema = z
  .object({
    status: list(z.enum([...STATUSES, 'open', 'overdue'])).optional(),
    type: list(z.enum(INCIDENT_TYPES)).optional(),
    category: list(code).optional(),
    service: list(code).optional(),
    district: list(code).optional(),
    channel: list(z.enum(CHANNELS)).optional(),
    bbox: bbox.optional(),
    from: instant.optional(),
    to: instant.optional(),
    q: z.string().trim().min(1).max(200).optional(),
  })
  .refine((f) => !f.from || !f.to || instantMs(f.from) <= instantMs(f.to), { message: 'from must not be after to', path: ['from'] });

export type IncidentFilter = z.infer<typeof IncidentFilterSchema>;

/** A WHERE clause under construction: conditions joined with AND, values as $n parameters. */
export class Where {
  readonly conditions: string[] = [];
  constructor(readonly values: unknown[] = []) {}
  /** Adds a value and returns its placeholder. */
  param(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  add(condition: string): this {
    this.conditions.push(condition);
    return this;
  }
  toString(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/**
 * Translates filters into conditions on the incidents table aliased `i`. Codes are resolved
 * through the catalog (unknown code -> 400); a category brings its descendants.
 */
export function incidentConditions(f: IncidentFilter, catalog: Catalog, w = new Where()): Where {
  if (f.status?.length) {
    const parts: string[] = [];
    const plain = f.status.filter((s) => s !== 'open' && s !== 'overdue');
    if (f.status.includes('open')) parts.push(openSql());
    if (f.status.includes('overdue')) parts.push(`(${openSql()} AND ${overdueSql()})`);
    if (plain.length) parts.push(`i.status = ANY(${w.param(plain)}::text[])`);
    w.add(parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`);
    // Only non-final statuses: say so with the stored flag too, so that the partial indexes on
    // open appeals serve (the planner cannot infer is_open from a list of statuses).
    if (plain.length && !f.status.includes('open') && plain.every(isOpen)) w.add('i.is_open');
  }
  if (f.type?.length) w.add(`i.type = ANY(${w.param(f.type)}::text[])`);
  if (f.channel?.length) w.add(`i.channel = ANY(${w.param(f.channel)}::text[])`);
  if (f.category?.length) {
    const ids = idsForCodes(catalog.categories, f.category, 'category').flatMap((id) => catalog.subtree.get(id) ?? [id]);
    w.add(`i.category_id = ANY(${w.param([...new Set(ids)])}::int[])`);
  }
  if (f.service?.length) w.add(`i.service_id = ANY(${w.param(idsForCodes(catalog.services, f.service, 'service'))}::int[])`);
  if (f.district?.length) w.add(`i.district_id = ANY(${w.param(idsForCodes(catalog.districts, f.district, 'district'))}::int[])`);
  if (f.bbox) {
    const [a, b, c, d] = f.bbox.map((v) => w.param(v));
    // ST_Intersects, not a bare &&: the index compares float4 boxes and would let in points just outside.
    w.add(`ST_Intersects(i.geom, ST_MakeEnvelope(${a}, ${b}, ${c}, ${d}, 4326))`);
  }
  if (f.from) w.add(`i.created_at >= ${w.param(f.from)}::timestamptz`);
  if (f.to) w.add(`i.created_at < ${w.param(f.to)}::timestamptz`);
  if (f.q) {
    const p = w.param(`%${f.q.replace(/[\\%_]/g, (m) => '\\' + m)}%`);
    w.add(`(i.number ILIKE ${p} OR i.description ILIKE ${p} OR i.address ILIKE ${p})`);
  }
  return w;
}
