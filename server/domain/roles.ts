/**
 * Who works in Jardem: the roles and the signed-in user as the server sees them. Imported by
 * everything that decides by role (the access matrix, the lifecycle, the channels), so that none
 * of them depends on the app's wiring (server/context.ts).
 */

export const ROLES = ['admin', 'dispatcher', 'supervisor', 'executor', 'official', 'display'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user as routes see it. */
export interface SessionUser {
  id: number;
  login: string;
  name: string;
  role: Role;
  /** a supervisor's districts (empty: not limited by district) */
  districtIds: number[];
  /** an executor's service */
  serviceId: number | null;
}
