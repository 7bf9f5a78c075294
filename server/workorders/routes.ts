import { Hono } from 'hono';
import { z } from 'zod';
import { getCatalog, idsForCodes } from '../catalog.ts';
import { coordination } from './control.ts';
import type { AppEnv, Deps } from '../context.ts';
import { IdParam } from '../incidents/routes.ts';
import { describeRoute } from '../openapi/registry.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import { coordinationSchema, workOrdersSchema } from '../contract/work-orders.ts';
import {
  createWorkOrder,
  CreateWorkOrderSchema,
  listWorkOrders,
  transitionWorkOrder,
  WorkOrderParams,
  WorkOrderTransitionSchema,
} from './orders.ts';

/** /api/incidents/:id/work-orders — the services working on one appeal (issue 18). */
export function workOrderRoutes({ pool }: Deps) {
  return new Hono<AppEnv>()
    .get('/:id/work-orders', validParam(IdParam), async (c) => c.json(await listWorkOrders(pool, c.req.valid('param').id, c.get('user')!)))
    .post('/:id/work-orders', validParam(IdParam), validJson(CreateWorkOrderSchema), async (c) => {
      const user = c.get('user')!;
      const { id } = c.req.valid('param');
      const wo = await createWorkOrder(pool, id, c.req.valid('json'), user);
      c.header('Location', `/api/incidents/${id}/work-orders/${wo}`);
      return c.json(await listWorkOrders(pool, id, user), 201);
    })
    .post('/:id/work-orders/:wo/transitions', validParam(WorkOrderParams), validJson(WorkOrderTransitionSchema), async (c) => {
      const user = c.get('user')!;
      const { id, wo } = c.req.valid('param');
      await transitionWorkOrder(pool, id, wo, c.req.valid('json'), user);
      return c.json(await listWorkOrders(pool, id, user));
    });
}

describeRoute('GET', '/api/incidents/:id/work-orders', {
  summary: 'The services working on an appeal: the lead and the co-executors’ work orders',
  tag: 'work-orders',
  description:
    'The lead is the appeal itself (its service, status and deadline). Each co-executor work order has its service, task, deadline, status (open, in_progress, done, released), executor, notes, history (`events`) and the moves the caller may make on it (`allowed`). `holding` names the service holding the appeal up. Executors read the appeals they lead or have a work order on.',
  responses: {
    '200': { description: 'Lead, work orders, holding service', schema: workOrdersSchema },
    '403': 'Outside your scope',
    '404': 'No such appeal',
  },
});
describeRoute('POST', '/api/incidents/:id/work-orders', {
  summary: 'Add a co-executor service to an appeal',
  tag: 'work-orders',
  description:
    '`{service, task, due_at?}`: the deadline is the category’s norm counted from now unless given. Dispatchers and admins anywhere, supervisors in their districts.',
  responses: {
    '201': { description: 'The appeal’s work orders after the change', schema: workOrdersSchema },
    '403': 'Outside your scope',
    '404': 'No such appeal',
    '409': '`already_lead` (the service leads the appeal), `work_order_exists`, or `incident_not_active`',
  },
});
describeRoute('POST', '/api/incidents/:id/work-orders/:wo/transitions', {
  summary: 'Move a work order: take (in_progress), done, released, reopened (open)',
  tag: 'work-orders',
  description:
    '`{to, version, note?}`; done, released and reopened need a note. An executor acts on their own service’s work orders only (403 otherwise), supervisors in their districts.',
  responses: {
    '200': { description: 'The appeal’s work orders after the change', schema: workOrdersSchema },
    '400': 'A note is required',
    '403': 'Not your service’s work order, or outside your districts',
    '404': 'No such appeal or work order',
    '409': '`illegal_transition` (lists the allowed moves), `stale_version`, `incident_not_active`',
  },
});

const CoordinationQuery = z.object({
  district: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'not a valid code')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

/** /api/control/coordination — who holds appeals up (the wall's coordination page, the district page). */
export function coordinationRoutes({ pool }: Deps) {
  return new Hono<AppEnv>().get('/coordination', validQuery(CoordinationQuery), async (c) => {
    const q = c.req.valid('query');
    const [district] = q.district === undefined ? [null] : idsForCodes((await getCatalog(pool)).districts, [q.district], 'district');
    return c.json(await coordination(pool, c.get('scope').appeals, district, q.limit));
  });
}

describeRoute('GET', '/api/control/coordination', {
  summary: 'Appeals held up by a service and overdue work orders per service (wall, district page)',
  tag: 'work-orders',
  description:
    '`held_up`: open appeals past their deadline or with a co-executor past its own, with the `holding` service (the co-executor furthest past due, else the lead) and hours late; `work_orders_by_service`: pending and overdue work orders per service. Codes, numbers and times only. `district` narrows to one district.',
  responses: { '200': { description: 'Held-up appeals and overdue work orders per service', schema: coordinationSchema } },
});
