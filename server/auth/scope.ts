import type { SessionUser } from '../domain/roles.ts';
import type { Where } from '../incidents/filters.ts';
import { allowsPersonalData, HOME_SCOPES, type MatrixEntry, type Scope, scopeFor } from './matrix.ts';

/**
 * Which appeals a request reaches: all of them, those in some districts (a supervisor's), those
 * of one service (an executor's; none while the user has no service), or none.
 */
export type AppealScope =
  | { kind: 'all' }
  | { kind: 'districts'; districtIds: readonly number[] }
  | { kind: 'service'; serviceId: number | null }
  | { kind: 'none' };

/**
 * The scope of one request, derived once from the session user and the access matrix
 * (server/auth/matrix.ts) by enforceAccess and kept in the request context (`c.get('scope')`).
 * Handlers narrow their reads and changes with it, never with the role themselves.
 */
export interface RequestScope {
  /** The appeals this route serves the caller: what lists, exports and duplicates read and what merges touch. */
  appeals: AppealScope;
  /** The appeals whose reporters' names and phones the caller may read (each read is logged). */
  personalData: AppealScope;
}

const ALL: AppealScope = { kind: 'all' };
const NONE: AppealScope = { kind: 'none' };

/** What a request that matches no matrix entry gets (a 404, a page): nothing. */
export const NO_SCOPE: RequestScope = { appeals: NONE, personalData: NONE };

/** The appeals a matrix scope reaches for this user. */
function appealsIn(scope: Scope | undefined, user: SessionUser | null): AppealScope {
  switch (scope) {
    case 'all':
    case 'no_personal_data':
      return ALL;
    case 'districts':
      return user ? { kind: 'districts', districtIds: [...user.districtIds] } : NONE;
    case 'service':
      return user ? { kind: 'service', serviceId: user.serviceId } : NONE;
    default:
      return NONE;
  }
}

/**
 * The scope of a request to `entry` by `user` (null: anonymous). A route for given roles
 * serves each role in the scope the matrix gives it there, with personal data unless that is
 * `no_personal_data`. A public route serves everyone all its appeals (its answers carry no
 * personal data); reporters, where it shows them, go only to a signed-in user within the
 * user's standing scope (HOME_SCOPES: a supervisor's districts, an executor's service).
 */
export function deriveScope(entry: MatrixEntry | undefined, user: SessionUser | null): RequestScope {
  if (!entry) return NO_SCOPE;
  if (entry.access.kind !== 'roles') {
    const home = user ? HOME_SCOPES[user.role] : undefined;
    return { appeals: ALL, personalData: allowsPersonalData(home) ? appealsIn(home, user) : NONE };
  }
  const scope = scopeFor(entry, user?.role ?? null);
  const appeals = appealsIn(scope, user);
  return { appeals, personalData: allowsPersonalData(scope) ? appeals : NONE };
}

/** Where an appeal lies, as the scope reads it. */
export interface AppealPlace {
  districtId: number | null;
  serviceId: number | null;
}

/** Whether the scope reaches an appeal. */
export function covers(scope: AppealScope, appeal: AppealPlace): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'districts':
      return appeal.districtId !== null && scope.districtIds.includes(appeal.districtId);
    case 'service':
      return scope.serviceId !== null && appeal.serviceId === scope.serviceId;
    case 'none':
      return false;
  }
}

/**
 * Adds the scope to a WHERE clause on appeals aliased `alias` (incidents, or the backlog's
 * copy open_incident_points: both have district_id and service_id).
 */
export function scopeCondition(scope: AppealScope, w: Where, alias = 'i'): Where {
  switch (scope.kind) {
    case 'all':
      return w;
    case 'districts':
      return w.add(`${alias}.district_id = ANY(${w.param(scope.districtIds)}::int[])`);
    case 'service':
      return w.add(scope.serviceId === null ? 'false' : `${alias}.service_id = ${w.param(scope.serviceId)}::int`);
    case 'none':
      return w.add('false');
  }
}
