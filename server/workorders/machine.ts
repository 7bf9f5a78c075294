/**
 * The life of a co-executor's work order as a pure state machine (issue 18). The lead work
 * order is the appeal itself and moves by the appeal's own machine (lifecycle/machine.ts).
 *
 *   open → in_progress → done
 *   open | in_progress → released (the service is not needed after all, with a note)
 *   done | released → open (reopened: the work was not enough, with a note)
 */
import type { Role } from '../domain/roles.ts';

export const WORK_ORDER_STATUSES = ['open', 'in_progress', 'done', 'released'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

/** Work is still owed: these can be overdue and hold an appeal up. */
export const PENDING_WORK_ORDER: readonly WorkOrderStatus[] = ['open', 'in_progress'];

export type WorkOrderAction = 'take' | 'done' | 'release' | 'reopen';

interface Rule {
  action: WorkOrderAction;
  from: readonly WorkOrderStatus[];
  to: WorkOrderStatus;
  roles: readonly Role[];
  /** The move cannot do without a note. */
  note: boolean;
}

export const WORK_ORDER_RULES: readonly Rule[] = [
  { action: 'take', from: ['open'], to: 'in_progress', roles: ['admin', 'supervisor', 'executor'], note: false },
  { action: 'done', from: ['in_progress'], to: 'done', roles: ['admin', 'supervisor', 'executor'], note: true },
  // The executor hands it back ("not ours", "nothing to do"), staff take the service off it.
  {
    action: 'release',
    from: ['open', 'in_progress'],
    to: 'released',
    roles: ['admin', 'dispatcher', 'supervisor', 'executor'],
    note: true,
  },
  { action: 'reopen', from: ['done', 'released'], to: 'open', roles: ['admin', 'dispatcher', 'supervisor'], note: true },
];

export interface WorkOrderMove {
  action: WorkOrderAction;
  to: WorkOrderStatus;
  requires: readonly 'note'[];
}

const toMove = (r: Rule): WorkOrderMove => ({ action: r.action, to: r.to, requires: r.note ? ['note'] : [] });

/** The moves this role may make on a work order in this status. */
export function workOrderMoves(role: Role, from: WorkOrderStatus): WorkOrderMove[] {
  return WORK_ORDER_RULES.filter((r) => r.roles.includes(role) && r.from.includes(from)).map(toMove);
}

/** The move to `to` for this role, or null. */
export function findWorkOrderMove(role: Role, from: WorkOrderStatus, to: WorkOrderStatus): WorkOrderMove | null {
  return workOrderMoves(role, from).find((m) => m.to === to) ?? null;
}

/** Who may change a work order: where the appeal is, and whose service the work order is. */
export interface WorkOrderPlace {
  districtId: number | null;
  /** The work order's own service. */
  serviceId: number;
}

/**
 * Whether a user may act on a work order: executors on their own service's only, supervisors
 * in their districts, dispatchers and admins everywhere.
 */
export function mayActOnWorkOrder(
  user: { role: Role; districtIds: readonly number[]; serviceId: number | null },
  w: WorkOrderPlace,
): boolean {
  switch (user.role) {
    case 'admin':
    case 'dispatcher':
      return true;
    case 'supervisor':
      return w.districtId !== null && user.districtIds.includes(w.districtId);
    case 'executor':
      return user.serviceId !== null && user.serviceId === w.serviceId;
    default:
      return false;
  }
}

/** The appeal's lead status seen as a work order's (the lead is the appeal itself). */
export function leadStatus(appealStatus: string): WorkOrderStatus {
  if (appealStatus === 'in_progress') return 'in_progress';
  if (appealStatus === 'resolved' || appealStatus === 'closed') return 'done';
  if (appealStatus === 'rejected') return 'released';
  return 'open';
}

/**
 * Which service holds an appeal up: the pending work order furthest past its deadline, else the
 * lead (null when the appeal has no service). Pure: the control view computes the same in SQL.
 */
export function holdingService(
  lead: string | null,
  orders: readonly { service: string; status: WorkOrderStatus; due_at: Date }[],
  now: Date,
): { service: string | null; reason: 'overdue_work_order' | 'lead' } {
  const late = orders
    .filter((o) => PENDING_WORK_ORDER.includes(o.status) && o.due_at < now)
    .sort((a, b) => +a.due_at - +b.due_at || (a.service < b.service ? -1 : 1));
  return late.length ? { service: late[0].service, reason: 'overdue_work_order' } : { service: lead, reason: 'lead' };
}
