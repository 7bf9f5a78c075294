import type pg from 'pg';
import { z } from 'zod';
import { type AppealScope, scopeCondition } from '../auth/scope.ts';
import type { Catalog } from '../catalog.ts';
import { IncidentFilterSchema, incidentConditions, Where } from '../incidents/filters.ts';
import { getDurationSummary } from './durations.ts';
import { ACTIVE_STATUSES } from '../domain/statuses.ts';
import { AT_RISK, type Risk, riskOf } from './risk.ts';
import { etaOf } from './eta.ts';
import type { Control } from '../contract/incidents.ts';
import type { Sendable } from '../contract/sendable.ts';
import { outagesInForce } from '../outages/queries.ts';
import { HOLDING_SQL, workOrderControl } from '../workorders/control.ts';

/** An appeal passed between services this many times is flagged as bounced. */
export const BOUNCED_AT = 3;
/** Open appeals read per request, earliest deadline first (all overdue ones come first). */
export const SCAN_LIMIT = 20_000;

export const ControlQuerySchema = IncidentFilterSchema.and(
  z.object({
    only: z.enum(['overdue', 'at_risk', 'bounced', 'escalated']).optional(),
    sort: z.enum(['risk', 'due', 'age']).default('risk'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  }),
);
export type ControlQuery = z.infer<typeof ControlQuerySchema>;

const HOUR_S = 3600;

/** Enough of the description for a work list to say what is wrong; the appeal page has it all. */
const DESCRIPTION_CHARS = 280;

interface Row {
  id: number;
  number: string;
  category: string;
  category_id: number;
  sphere_id: number | null;
  district_id: number | null;
  district: string | null;
  service: string | null;
  status: string;
  priority: number;
  created_at: Date;
  due_at: Date;
  escalation_level: number;
  reassign_count: number;
  age_s: number;
  allowed_s: number;
  lng: number;
  lat: number;
  address: string | null;
  description: string;
  holding: string | null;
  work_orders_pending: string[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Conditions every control query shares: appeals still owed work, in the request's scope. */
function scoped(filter: ControlQuery, catalog: Catalog, scope: AppealScope): Where {
  const { only: _o, sort: _s, limit: _l, status: _st, ...rest } = filter;
  const w = incidentConditions(rest, catalog);
  w.add('i.is_open');
  w.add(`i.status = ANY(${w.param(ACTIVE_STATUSES)}::text[])`);
  return scopeCondition(scope, w);
}

/**
 * GET /api/control: execution control. Counts per service (open, overdue, bounced,
 * escalated) and a list of appeals with their age, how late they are, escalation level,
 * bounce flag and deadline risk; supervisors see their districts, executors their service.
 */
export async function controlView(pool: pg.Pool, catalog: Catalog, q: ControlQuery, scope: AppealScope) {
  const base = scoped(q, catalog, scope);
  const listed = new Where([...base.values]);
  listed.conditions.push(...base.conditions);
  if (q.only === 'overdue') listed.add('i.due_at < now()');
  if (q.only === 'at_risk') listed.add('i.due_at >= now()');
  if (q.only === 'bounced') listed.add(`i.reassign_count >= ${BOUNCED_AT}`);
  if (q.only === 'escalated') listed.add('i.escalation_level > 0');
  const order = q.sort === 'age' ? 'i.created_at, i.id' : 'i.due_at, i.id';
  const cap = q.sort === 'risk' || q.only === 'at_risk' ? SCAN_LIMIT : q.limit;

  const { only: _o, sort: _s, limit: _l, status: _st, ...filter } = q;
  const [counts, rows, summary, coordination, outages] = await Promise.all([
    pool.query<{ service: string | null; open: number; overdue: number; bounced: number; escalated: number }>(
      `SELECT sv.code AS service, count(*)::int AS open,
              count(*) FILTER (WHERE i.due_at < now())::int AS overdue,
              count(*) FILTER (WHERE i.reassign_count >= ${BOUNCED_AT})::int AS bounced,
              count(*) FILTER (WHERE i.escalation_level > 0)::int AS escalated
         FROM incidents i LEFT JOIN services sv ON sv.id = i.service_id
         ${base}
        GROUP BY sv.code ORDER BY overdue DESC, open DESC, sv.code`,
      base.values,
    ),
    pool.query<Row>(
      `SELECT i.id, i.number, c.code AS category, i.category_id, c.sphere_id, i.district_id, d.code AS district, sv.code AS service,
              i.status, i.priority, i.created_at, i.due_at, i.escalation_level, i.reassign_count,
              extract(epoch FROM now() - i.created_at)::float8 AS age_s, extract(epoch FROM i.due_at - i.created_at)::float8 AS allowed_s,
              ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat, i.address, left(i.description, ${DESCRIPTION_CHARS}) AS description,
              ${HOLDING_SQL} AS holding,
              ARRAY(SELECT ps.code FROM work_orders pw JOIN services ps ON ps.id = pw.service_id
                     WHERE pw.incident_id = i.id AND pw.status IN ('open', 'in_progress') ORDER BY pw.id) AS work_orders_pending
         FROM incidents i JOIN categories c ON c.id = i.category_id
         LEFT JOIN districts d ON d.id = i.district_id LEFT JOIN services sv ON sv.id = i.service_id
         ${listed}
        ORDER BY ${order} LIMIT ${listed.param(cap)}`,
      listed.values,
    ),
    getDurationSummary(pool),
    workOrderControl(pool, catalog, filter, scope, q.limit),
    outagesInForce(pool),
  ]);

  const now = new Date();
  let items = rows.rows.map((r) => {
    const overdueS = r.age_s - r.allowed_s;
    const risk: Risk | null = riskOf(summary, {
      categoryId: r.category_id,
      districtId: r.district_id,
      sphereId: r.sphere_id,
      elapsedH: r.age_s / HOUR_S,
      allowedH: r.allowed_s / HOUR_S,
    });
    return {
      id: r.id,
      number: r.number,
      category: r.category,
      district: r.district,
      service: r.service,
      status: r.status,
      priority: r.priority,
      created_at: r.created_at,
      due_at: r.due_at,
      age_h: round1(r.age_s / HOUR_S),
      overdue: overdueS > 0,
      overdue_h: overdueS > 0 ? round1(overdueS / HOUR_S) : null,
      escalation_level: r.escalation_level,
      reassign_count: r.reassign_count,
      bounced: r.reassign_count >= BOUNCED_AT,
      risk,
      // When it is expected to be resolved, from the same durations model (issue 24).
      eta: etaOf(summary, { categoryId: r.category_id, districtId: r.district_id, sphereId: r.sphere_id, createdAt: r.created_at, now }),
      lng: r.lng,
      lat: r.lat,
      address: r.address,
      description: r.description,
      // Issue 18: which service holds it up (a co-executor past its deadline, else the lead).
      holding: r.holding,
      work_orders_pending: r.work_orders_pending,
    };
  });
  const atRisk = items.filter((i) => !i.overdue && (i.risk?.p ?? 0) >= AT_RISK).length;
  if (q.only === 'at_risk') items = items.filter((i) => !i.overdue && (i.risk?.p ?? 0) >= AT_RISK);
  if (q.sort === 'risk') {
    items.sort((a, b) => (b.risk?.p ?? -1) - (a.risk?.p ?? -1) || (b.overdue_h ?? 0) - (a.overdue_h ?? 0) || +a.due_at - +b.due_at);
  }
  const total = counts.rows.reduce(
    (t, r) => ({
      open: t.open + r.open,
      overdue: t.overdue + r.overdue,
      bounced: t.bounced + r.bounced,
      escalated: t.escalated + r.escalated,
    }),
    { open: 0, overdue: 0, bounced: 0, escalated: 0 },
  );
  return {
    generated_at: new Date().toISOString(),
    summary: { ...total, at_risk: atRisk },
    by_service: counts.rows,
    numberReturned: Math.min(items.length, q.limit),
    // The risk ranking read the SCAN_LIMIT earliest deadlines only.
    truncated: rows.rows.length >= cap && cap === SCAN_LIMIT,
    items: items.slice(0, q.limit),
    // Issue 18: co-executors' work orders (pending, overdue, per service) and escalated appeals.
    ...coordination,
    // Outages and planned works in force now, beside the appeals they explain.
    outages,
  } satisfies Sendable<Control>;
}

/** The deadline risk of one appeal for its detail view (null when closed or without history). */
export async function incidentRisk(pool: pg.Pool, id: number): Promise<Risk | null> {
  const { rows } = await pool.query<{
    category_id: number;
    sphere_id: number | null;
    district_id: number | null;
    age_s: number;
    allowed_s: number;
  }>(
    `SELECT i.category_id, c.sphere_id, i.district_id,
            extract(epoch FROM now() - i.created_at)::float8 AS age_s, extract(epoch FROM i.due_at - i.created_at)::float8 AS allowed_s
       FROM incidents i JOIN categories c ON c.id = i.category_id
      WHERE i.id = $1 AND i.status = ANY($2::text[])`,
    [id, ACTIVE_STATUSES],
  );
  const r = rows[0];
  if (!r) return null;
  return riskOf(await getDurationSummary(pool), {
    categoryId: r.category_id,
    districtId: r.district_id,
    sphereId: r.sphere_id,
    elapsedH: r.age_s / HOUR_S,
    allowedH: r.allowed_s / HOUR_S,
  });
}
