/**
 * Which notes and free text a reader sees. One place decides it for every surface:
 * - a note is `internal` (for staff) unless the move was meant for the citizen (resolve,
 *   consult, reject, a messenger reply), where it is `public` by default; the author may
 *   choose either way;
 * - readers with personal-data rights (PERSONAL_DATA_ROLES, on appeals they handle) see every
 *   note and the description and address as written;
 * - everyone else (anonymous, officials, wall displays, Open311, OGC, the citizen's own links)
 *   sees public notes only, and all free text through redact().
 */
import { PERSONAL_DATA_ROLES } from '../auth/middleware.ts';
import type { SessionUser } from '../domain/roles.ts';
import type { Action } from '../lifecycle/machine.ts';
import { redact } from './redact.ts';

export const NOTE_VISIBILITIES = ['internal', 'public'] as const;
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];

/** Moves whose note is written for the citizen (mirrors default_note_visibility() of migration 014). */
const PUBLIC_BY_DEFAULT: ReadonlySet<Action | 'reply'> = new Set(['resolve', 'consult', 'reject', 'reply']);

/** The visibility of a note nobody chose one for. */
export function defaultVisibility(move: Action | 'reply'): NoteVisibility {
  return PUBLIC_BY_DEFAULT.has(move) ? 'public' : 'internal';
}

/** SQL expression over `incident_events e`: its note when the public may read it, else NULL (redact it still). */
export const PUBLIC_NOTE_SQL = `CASE WHEN e.visibility = 'public' THEN e.note END`;

/** Whether this reader sees personal data (role only; callers add the appeal's scope where they have it). */
export function hasPersonalDataRole(user: Pick<SessionUser, 'role'> | null | undefined): boolean {
  return !!user && PERSONAL_DATA_ROLES.includes(user.role);
}

/** An event as getIncidentEvents() reads it. */
export interface EventRow {
  note: string | null;
  visibility: NoteVisibility;
  actor_login?: string | null;
  [key: string]: unknown;
}

/**
 * The events as a reader without personal-data rights may see them: every event stays (the
 * history of the appeal is public), internal notes are left out, public notes are redacted,
 * and the staff member's login is left out (their role remains).
 */
export function publicEvents<E extends EventRow>(events: E[]): E[] {
  return events.map(({ actor_login: _, ...e }) => ({
    ...e,
    note: e.visibility === 'public' ? redact(e.note as string | null) : null,
  })) as unknown as E[];
}

/** The free-text fields of an appeal, redacted (other fields as they are). */
export function publicText<R extends object>(row: R): R {
  const r = row as { description?: unknown; address?: unknown };
  return {
    ...row,
    ...(typeof r.description === 'string' ? { description: redact(r.description) } : {}),
    ...(typeof r.address === 'string' ? { address: redact(r.address) } : {}),
  };
}
