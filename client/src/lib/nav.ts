/**
 * Which pages a role may use, read from the server's access matrix (server/auth/matrix.ts): a
 * page is offered when the role may perform the action the page is built on. Nothing about
 * roles is repeated here but each role's home, which is a choice of the product, not of access.
 */
import { ACCESS_MATRIX } from '../../../server/auth/matrix.ts';
import type { Role } from '../../../server/domain/roles.ts';
import type { Route } from './routes.ts';

export type PageName = 'city' | 'intake' | 'queue' | 'outages' | 'hotspots' | 'admin';

/** The action each page is built on (an action of the access matrix). */
const PAGE_ACTION: Record<PageName, string> = {
  // the control room reads the public map and statistics
  city: 'map.read',
  intake: 'incident.create',
  // the work list: the control feed of appeals and moves on them
  queue: 'incident.transition',
  // the outage register (h-outage-ui): those who may register outages
  outages: 'outage.create',
  hotspots: 'hotspots.read',
  admin: 'users.read',
};

/** Pages in the order the navigation lists them. */
export const PAGES: readonly PageName[] = ['city', 'intake', 'queue', 'outages', 'hotspots', 'admin'];

/** Where a role starts (falls back to the control room if the matrix ever takes it away). */
const HOME: Record<Role, PageName> = {
  admin: 'city',
  dispatcher: 'intake',
  supervisor: 'city',
  executor: 'queue',
  official: 'hotspots',
  display: 'city',
};

/** May `role` (null: not signed in) perform `action`, by the access matrix? */
export function mayDo(role: string | null, action: string): boolean {
  return ACCESS_MATRIX.some(
    (e) => e.action === action && (e.access.kind === 'public' || (role !== null && e.access.kind === 'roles' && role in e.access.roles)),
  );
}

export const mayOpen = (role: string | null, page: PageName): boolean => mayDo(role, PAGE_ACTION[page]);

/** The page a route belongs to (a district or an appeal belongs to the control room). */
export function pageOf(route: Route): PageName {
  return route.name === 'district' || route.name === 'incident' ? 'city' : route.name;
}

/** The pages `role` may open, in navigation order. */
export const pagesFor = (role: string | null): PageName[] => PAGES.filter((p) => mayOpen(role, p));

export const PAGE_PATH: Record<PageName, string> = {
  city: '/',
  intake: '/intake',
  queue: '/queue',
  outages: '/outages',
  hotspots: '/hotspots',
  admin: '/admin',
};

/**
 * A role's home path: its own page; a supervisor's is their district when they have exactly one
 * (`districtCodes`, the codes of their districts).
 */
export function homeOf(role: string | null, districtCodes: string[] = []): string {
  if (role === 'supervisor' && districtCodes.length === 1) return `/districts/${districtCodes[0]}`;
  const page = role && role in HOME ? HOME[role as Role] : 'city';
  return PAGE_PATH[mayOpen(role, page) ? page : 'city'];
}
