import type pg from 'pg';

/**
 * Demo data for issue 18: multi-service incidents. A burst heating main is led by whoever
 * routing gave it (the heating network), and the road service restores the surface, the water
 * utility checks its mains nearby, the akimat informs residents — each with its own deadline.
 * Open bursts get pending work orders (some past due, so the control view and the wall show who
 * holds them up); finished ones get finished work orders. Deterministic (by appeal id), once.
 */
const PLAN = [
  { service: 'roads_main', hours: 72, task: 'Восстановить асфальтовое покрытие после раскопки' },
  { service: 'vodokanal', hours: 24, task: 'Проверить водопроводные сети рядом с местом порыва' },
  { service: 'akimat_housing', hours: 6, task: 'Известить жителей о сроках отключения и восстановления' },
];

/** Categories whose incidents need several services (the sphere and its kinds). */
const CATEGORIES = ['heating.pipe_burst', 'water.pipe_burst', 'heating.no_heating.area'];

export async function seedDemoWorkOrders(pool: pg.Pool, limit = 40): Promise<number> {
  // Once: demo work orders are the ones nobody created (staff's own have their author).
  const { rows: done } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM work_orders WHERE created_by IS NULL');
  if (done[0].n > 0) return 0;
  const { rowCount } = await pool.query(
    `WITH picked AS (
       SELECT i.id, i.created_at, i.status, i.service_id, coalesce(i.resolved_at, i.closed_at) AS finished
         FROM incidents i JOIN categories c ON c.id = i.category_id
        WHERE c.code = ANY($1::text[]) AND i.status <> 'rejected' AND i.parent_id IS NULL
        ORDER BY i.created_at DESC LIMIT $2),
     plan AS (SELECT * FROM unnest($3::text[], $4::int[], $5::text[]) WITH ORDINALITY p(service, hours, task, k)),
     made AS (
       INSERT INTO work_orders (incident_id, service_id, status, due_at, task, created_at, started_at, finished_at, updated_at, note)
       SELECT p.id, s.id,
              CASE WHEN p.finished IS NOT NULL THEN (CASE WHEN (p.id + pl.k) % 5 = 0 THEN 'released' ELSE 'done' END)
                   WHEN (p.id + pl.k) % 3 = 0 THEN 'in_progress' ELSE 'open' END,
              p.created_at + make_interval(hours => pl.hours), pl.task, p.created_at,
              CASE WHEN (p.finished IS NOT NULL AND (p.id + pl.k) % 5 <> 0) OR (p.finished IS NULL AND (p.id + pl.k) % 3 = 0)
                   THEN p.created_at + interval '1 hour' END,
              CASE WHEN p.finished IS NOT NULL THEN least(p.finished, p.created_at + make_interval(hours => pl.hours)) END,
              coalesce(p.finished, p.created_at + interval '1 hour'),
              CASE WHEN p.finished IS NOT NULL THEN (CASE WHEN (p.id + pl.k) % 5 = 0 THEN 'Не потребовалось' ELSE 'Выполнено' END) END
         FROM picked p CROSS JOIN plan pl JOIN services s ON s.code = pl.service AND s.active
        WHERE s.id IS DISTINCT FROM p.service_id
       RETURNING id, status, created_at, started_at, finished_at, task, note)
     INSERT INTO work_order_events (work_order_id, at, action, from_status, to_status, note)
     SELECT id, created_at, 'created', NULL, 'open', task FROM made
     UNION ALL SELECT id, started_at, 'take', 'open', 'in_progress', NULL FROM made WHERE started_at IS NOT NULL AND status <> 'released'
     UNION ALL SELECT id, finished_at, CASE status WHEN 'done' THEN 'done' ELSE 'release' END,
                      CASE status WHEN 'done' THEN 'in_progress' ELSE 'open' END, status, note
                 FROM made WHERE finished_at IS NOT NULL`,
    [CATEGORIES, limit, PLAN.map((p) => p.service), PLAN.map((p) => p.hours), PLAN.map((p) => p.task)],
  );
  return rowCount ?? 0;
}
