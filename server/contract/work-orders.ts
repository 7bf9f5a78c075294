/**
 * Answers about the services working on one appeal (issue 18): its work orders, and the
 * coordination page of the wall and the district page.
 */
import { z } from 'zod';
import { namesSchema } from './geojson.ts';

const time = z.string();
const workOrderStatus = z.enum(['open', 'in_progress', 'done', 'released']);

/** GET, POST /api/incidents/{id}/work-orders and POST …/work-orders/{wo}/transitions */
export const workOrdersSchema = z.object({
  incident: z.object({ id: z.number().int(), number: z.string(), status: z.string() }),
  /** the appeal's own service: its work is the appeal itself */
  lead: z.object({
    service: z.string().nullable(),
    service_name: namesSchema.nullable(),
    status: workOrderStatus,
    due_at: time,
    overdue: z.boolean(),
  }),
  work_orders: z.array(
    z.object({
      id: z.number().int(),
      service: z.string(),
      service_name: namesSchema,
      status: workOrderStatus,
      due_at: time,
      executor: z.string().nullable(),
      task: z.string(),
      note: z.string().nullable(),
      created_at: time,
      started_at: time.nullable(),
      finished_at: time.nullable(),
      version: z.number().int(),
      overdue: z.boolean(),
      events: z.array(
        z.object({
          at: time,
          actor: z.string().nullable(),
          action: z.string(),
          from_status: z.string().nullable(),
          to_status: z.string(),
          note: z.string().nullable(),
        }),
      ),
      /** what this user may do with it now */
      allowed: z.array(z.object({ action: z.string(), to: workOrderStatus, requires: z.array(z.literal('note')) })),
    }),
  ),
  /** whether this user may add a co-executor now */
  can_add: z.boolean(),
  /** the service holding the appeal up: the work order furthest past due, else the lead */
  holding: z.string().nullable(),
});

/** One pending work order in GET /api/control. */
const controlWorkOrderSchema = z.object({
  id: z.number().int(),
  incident: z.object({
    id: z.number().int(),
    number: z.string(),
    status: z.string(),
    category: z.string(),
    district: z.string().nullable(),
  }),
  service: z.string(),
  lead: z.string().nullable(),
  status: workOrderStatus,
  task: z.string(),
  due_at: time,
  version: z.number().int(),
  executor: z.string().nullable(),
  overdue: z.boolean(),
  overdue_h: z.number().nullable(),
});

/** What GET /api/control adds beside the appeals: work orders, escalations and outages. */
export const controlCoordinationShape = {
  work_orders: z.object({
    summary: z.object({ pending: z.number().int(), overdue: z.number().int() }),
    by_service: z.array(z.object({ service: z.string(), pending: z.number().int(), overdue: z.number().int() })),
    items: z.array(controlWorkOrderSchema),
    overdue: z.array(controlWorkOrderSchema),
  }),
  escalations: z.array(
    z.object({
      id: z.number().int(),
      number: z.string(),
      status: z.string(),
      escalation_level: z.number().int(),
      service: z.string().nullable(),
      holding: z.string().nullable(),
      due_at: time,
      overdue: z.boolean(),
    }),
  ),
  /** outages and planned works in force now (the register: /api/outages) */
  outages: z.array(
    z.object({
      id: z.number().int(),
      kind: z.enum(['emergency', 'planned']),
      status: z.enum(['active', 'overdue']),
      services: z.array(z.string()),
      starts_at: time,
      expected_end_at: time,
      call_count: z.number().int(),
      affected_addresses: z.number().int().nullable(),
      affected_people: z.number().int().nullable(),
    }),
  ),
};

/** GET /api/control/coordination */
export const coordinationSchema = z.object({
  generated_at: time,
  held_up: z.array(
    z.object({
      id: z.number().int(),
      number: z.string(),
      category: z.string(),
      district: z.string().nullable(),
      service: z.string().nullable(),
      holding: z.string().nullable(),
      due_at: time,
      overdue_h: z.number(),
    }),
  ),
  work_orders_by_service: z.array(z.object({ service: z.string(), overdue: z.number().int(), pending: z.number().int() })),
});
