/**
 * The life of an appeal as a pure state machine: which moves exist, who may make them, from
 * which status, and what each needs. No database and no clock; routes and the periodic
 * auto-close ask it before they write.
 *
 *   new → assigned → in_progress → resolved → closed
 *   resolved | closed → reopened (the citizen disputes) → assigned | in_progress → ...
 *   new | assigned | in_progress | reopened → rejected (duplicate, out of competence, spam)
 *   new → closed for information requests answered on the call ("consulted")
 */
import type { Role } from '../domain/roles.ts';
import { ACTIVE_STATUSES, type Status } from '../domain/statuses.ts';

const ACTIVE: readonly Status[] = ACTIVE_STATUSES;

export type IncidentType = 'complaint' | 'incident' | 'problem' | 'service_request' | 'information_request';

/** Who acts: a signed-in role, a citizen holding a feedback link, or the server's own timers. */
export type Actor = Role | 'citizen' | 'system';

export type Action =
  'assign' | 'reassign' | 'take' | 'resolve' | 'close' | 'consult' | 'reject' | 'reopen' | 'escalate' | 'dispute' | 'expire';

/** Fields of the request a move cannot do without. */
export type Requirement = 'note' | 'service' | 'reason';

export const REJECT_REASONS = ['duplicate', 'out_of_competence', 'spam'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** How a resolved appeal was resolved (the `reason` of a resolve move; `fixed` by default). */
export const RESOLVE_REASONS = ['fixed', 'not_confirmed', 'consulted'] as const;

/** Escalation stops at this level (the schema's CHECK). */
export const MAX_ESCALATION = 3;

export interface Rule {
  action: Action;
  from: readonly Status[];
  /** The status after the move; null: the status does not change (escalation). */
  to: Status | null;
  actors: readonly Actor[];
  requires?: readonly Requirement[];
  /** Only appeals of these types. */
  types?: readonly IncidentType[];
}

/** Every move. A role may appear in several rules for one action with different limits. */
export const RULES: readonly Rule[] = [
  { action: 'assign', from: ['new', 'reopened'], to: 'assigned', actors: ['admin', 'dispatcher', 'supervisor'] },
  { action: 'reassign', from: ['assigned', 'in_progress'], to: 'assigned', actors: ['admin', 'supervisor'], requires: ['service'] },
  // An executor hands back an appeal that is not theirs, and must say why.
  { action: 'reassign', from: ['assigned', 'in_progress'], to: 'assigned', actors: ['executor'], requires: ['service', 'note'] },
  { action: 'take', from: ['assigned', 'reopened'], to: 'in_progress', actors: ['admin', 'executor'] },
  { action: 'resolve', from: ['in_progress'], to: 'resolved', actors: ['admin', 'executor'], requires: ['note'] },
  { action: 'close', from: ['resolved'], to: 'closed', actors: ['admin', 'supervisor'] },
  { action: 'consult', from: ['new'], to: 'closed', actors: ['admin', 'dispatcher', 'supervisor'], types: ['information_request'] },
  { action: 'reject', from: ACTIVE, to: 'rejected', actors: ['admin', 'supervisor'], requires: ['reason'] },
  { action: 'reject', from: ['new', 'assigned'], to: 'rejected', actors: ['dispatcher'], requires: ['reason'] },
  // Staff reopen when a citizen calls to say it is not fixed.
  { action: 'reopen', from: ['resolved'], to: 'reopened', actors: ['admin', 'dispatcher', 'supervisor'], requires: ['note'] },
  { action: 'escalate', from: ACTIVE, to: null, actors: ['admin', 'supervisor'] },
  // Through a feedback link, while it is valid (15 days from resolution; the link checks that).
  // Links are only issued on resolution, so appeals closed at intake are never disputed.
  { action: 'dispute', from: ['resolved', 'closed'], to: 'reopened', actors: ['citizen'] },
  { action: 'expire', from: ['resolved'], to: 'closed', actors: ['system'] },
];

/** What the machine needs to know about an appeal. */
export interface IncidentState {
  status: Status;
  type: IncidentType;
  escalationLevel: number;
}

export interface Move {
  action: Action;
  to: Status | null;
  requires: readonly Requirement[];
}

function applies(rule: Rule, actor: Actor, s: IncidentState): boolean {
  if (!rule.actors.includes(actor) || !rule.from.includes(s.status)) return false;
  if (rule.types && !rule.types.includes(s.type)) return false;
  if (rule.action === 'escalate' && s.escalationLevel >= MAX_ESCALATION) return false;
  return true;
}

const toMove = (r: Rule): Move => ({ action: r.action, to: r.to, requires: r.requires ?? [] });

/** The moves this actor may make on this appeal now, in the order of RULES. */
export function allowedMoves(actor: Actor, s: IncidentState): Move[] {
  return RULES.filter((r) => applies(r, actor, s)).map(toMove);
}

/** The move that takes this appeal to `to` for this actor, or null when there is none. */
export function findMove(actor: Actor, s: IncidentState, to: Status): Move | null {
  const rule = RULES.find((r) => r.to === to && applies(r, actor, s));
  return rule ? toMove(rule) : null;
}

/** The move for a named action (escalation has no target status), or null. */
export function findAction(actor: Actor, s: IncidentState, action: Action): Move | null {
  const rule = RULES.find((r) => r.action === action && applies(r, actor, s));
  return rule ? toMove(rule) : null;
}

/** Whether a role makes any move at all (officials and wall displays make none: 403). */
export function actsOnAppeals(actor: Actor): boolean {
  return RULES.some((r) => r.actors.includes(actor));
}

export interface ScopeUser {
  role: Role;
  districtIds: readonly number[];
  serviceId: number | null;
}

/**
 * Whether a user may act on an appeal at all: supervisors in their districts, executors on
 * their service's appeals, dispatchers and admins everywhere, everyone else nowhere.
 */
export function inScope(user: ScopeUser, where: { districtId: number | null; serviceId: number | null }): boolean {
  switch (user.role) {
    case 'admin':
    case 'dispatcher':
      return true;
    case 'supervisor':
      return where.districtId !== null && user.districtIds.includes(where.districtId);
    case 'executor':
      return user.serviceId !== null && where.serviceId === user.serviceId;
    default:
      return false;
  }
}

/** A move written for people: "take: assigned → in_progress". */
export function describeMove(from: Status, m: Move): string {
  const req = m.requires.length ? ` (needs ${m.requires.join(', ')})` : '';
  return `${m.action}: ${from} → ${m.to ?? from}${req}`;
}
