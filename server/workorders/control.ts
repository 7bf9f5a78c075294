import type pg from 'pg';
import { type AppealScope, scopeCondition } from '../auth/scope.ts';
import type { Catalog } from '../catalog.ts';
import { activeSql } from '../domain/statuses.ts';
import { type IncidentFilter, incidentConditions, Where } from '../incidents/filters.ts';

/**
 * The work orders part of the control view (issue 18): co-executors' pending work orders in the
 * caller's scope (an executor: their own service's, whoever leads), those past their deadline,
 * counts per service, and the appeals escalated. Read beside the appeals by controlView.
 */

/** SQL over `incidents i`: the code of the service holding it up (the pending work order furthest past due, else the lead). */
export const HOLDING_SQL = `coalesce((SELECT hs.code FROM work_orders hw JOIN services hs ON hs.id = hw.service_id
   WHERE hw.incident_id = i.id AND hw.status IN ('open', 'in_progress') AND hw.due_at < now()
   ORDER BY hw.due_at, hs.code LIMIT 1), sv.code)`;

const HOUR_S = 3600;
const round1 = (x: number) => Math.round(x * 10) / 10;

/** Work orders in scope: an executor's are their service's work orders; others follow the appeal's scope. */
function inScope(filter: IncidentFilter, catalog: Catalog, scope: AppealScope): Where {
  const w = incidentConditions(filter, catalog);
  w.add(activeSql('i'));
  w.add(`w.status IN ('open', 'in_progress')`);
  return scopeCondition(scope, w, scope.kind === 'service' ? 'w' : 'i');
}

interface OrderItem {
  id: number;
  incident_id: number;
  number: string;
  incident_status: string;
  category: string;
  district: string | null;
  service: string;
  lead: string | null;
  status: string;
  task: string;
  due_at: Date;
  version: number;
  executor: string | null;
  late_s: number;
}

export async function workOrderControl(pool: pg.Pool, catalog: Catalog, filter: IncidentFilter, scope: AppealScope, limit: number) {
  const w = inScope(filter, catalog, scope);
  const from = `FROM work_orders w JOIN incidents i ON i.id = w.incident_id JOIN services s ON s.id = w.service_id
                JOIN categories c ON c.id = i.category_id LEFT JOIN districts d ON d.id = i.district_id
                LEFT JOIN services sv ON sv.id = i.service_id LEFT JOIN users u ON u.id = w.executor_id ${w}`;
  const columns = `w.id, i.id AS incident_id, i.number, i.status AS incident_status, c.code AS category, d.code AS district,
                   s.code AS service, sv.code AS lead, w.status, w.task, w.due_at, w.version, u.login AS executor,
                   extract(epoch FROM now() - w.due_at)::float8 AS late_s`;
  const esc = scopeCondition(scope, new Where([]).add('i.is_open').add(activeSql('i')).add('i.escalation_level > 0'));
  // The filter's values, then the limit as the last parameter of the lists.
  const values = w.values;
  const lim = `$${values.length + 1}`;
  const [pending, overdue, counts, escalations] = await Promise.all([
    pool.query<OrderItem>(`SELECT ${columns} ${from} ORDER BY w.due_at, w.id LIMIT ${lim}`, [...values, limit]),
    pool.query<OrderItem>(`SELECT ${columns} ${from} AND w.due_at < now() ORDER BY w.due_at, w.id LIMIT ${lim}`, [...values, limit]),
    pool.query<{ service: string; pending: number; overdue: number }>(
      `SELECT s.code AS service, count(*)::int AS pending, count(*) FILTER (WHERE w.due_at < now())::int AS overdue
         ${from} GROUP BY s.code ORDER BY overdue DESC, pending DESC, s.code`,
      values,
    ),
    pool.query<{
      id: number;
      number: string;
      status: string;
      escalation_level: number;
      service: string | null;
      holding: string | null;
      due_at: Date;
    }>(
      `SELECT i.id, i.number, i.status, i.escalation_level, sv.code AS service, ${HOLDING_SQL} AS holding, i.due_at
         FROM incidents i LEFT JOIN services sv ON sv.id = i.service_id ${esc}
        ORDER BY i.escalation_level DESC, i.due_at LIMIT ${esc.param(limit)}`,
      esc.values,
    ),
  ]);
  const item = (r: OrderItem) => ({
    id: r.id,
    incident: { id: r.incident_id, number: r.number, status: r.incident_status, category: r.category, district: r.district },
    service: r.service,
    lead: r.lead,
    status: r.status,
    task: r.task,
    due_at: r.due_at,
    version: r.version,
    executor: r.executor,
    overdue: r.late_s > 0,
    overdue_h: r.late_s > 0 ? round1(r.late_s / HOUR_S) : null,
  });
  return {
    work_orders: {
      summary: counts.rows.reduce((t, r) => ({ pending: t.pending + r.pending, overdue: t.overdue + r.overdue }), {
        pending: 0,
        overdue: 0,
      }),
      by_service: counts.rows,
      /** Pending work orders, earliest deadline first (an executor's queue). */
      items: pending.rows.map(item),
      /** Those past their deadline, longest overdue first. */
      overdue: overdue.rows.map(item),
    },
    escalations: escalations.rows.map((r) => ({ ...r, overdue: r.due_at < new Date() })),
  };
}

/**
 * GET /api/control/coordination: the wall's coordination page and the district page — appeals
 * held up by a service (a co-executor past its deadline, or the lead past the appeal's), and the
 * overdue work orders per service. Numbers, codes and times only: no free text, no personal data.
 */
export async function coordination(pool: pg.Pool, scope: AppealScope, district: number | null, limit: number) {
  const w = new Where([]).add('i.is_open').add(activeSql('i'));
  if (district !== null) w.add(`i.district_id = ${w.param(district)}::int`);
  scopeCondition(scope, w);
  const held = new Where([...w.values]);
  held.conditions.push(...w.conditions);
  held.add(
    `(i.due_at < now() OR EXISTS (SELECT 1 FROM work_orders x WHERE x.incident_id = i.id AND x.status IN ('open', 'in_progress') AND x.due_at < now()))`,
  );
  const [appeals, perService] = await Promise.all([
    pool.query<{
      id: number;
      number: string;
      category: string;
      district: string | null;
      service: string | null;
      holding: string | null;
      due_at: Date;
      late_s: number;
    }>(
      `SELECT i.id, i.number, c.code AS category, d.code AS district, sv.code AS service, ${HOLDING_SQL} AS holding, i.due_at,
              extract(epoch FROM now() - least(i.due_at, coalesce((SELECT min(x.due_at) FROM work_orders x
                 WHERE x.incident_id = i.id AND x.status IN ('open', 'in_progress')), i.due_at)))::float8 AS late_s
         FROM incidents i JOIN categories c ON c.id = i.category_id LEFT JOIN districts d ON d.id = i.district_id
         LEFT JOIN services sv ON sv.id = i.service_id ${held}
        ORDER BY late_s DESC, i.id LIMIT ${held.param(limit)}`,
      held.values,
    ),
    pool.query<{ service: string; overdue: number; pending: number }>(
      `SELECT s.code AS service, count(*) FILTER (WHERE o.due_at < now())::int AS overdue, count(*)::int AS pending
         FROM work_orders o JOIN incidents i ON i.id = o.incident_id JOIN services s ON s.id = o.service_id
         ${w} AND o.status IN ('open', 'in_progress')
        GROUP BY s.code ORDER BY overdue DESC, pending DESC, s.code`,
      w.values,
    ),
  ]);
  return {
    generated_at: new Date().toISOString(),
    held_up: appeals.rows.map(({ late_s, ...r }) => ({ ...r, overdue_h: round1(Math.max(0, late_s) / HOUR_S) })),
    work_orders_by_service: perService.rows,
  };
}
