/**
 * The life of an appeal in words: its statuses, the sets the rest of the code reasons with, and
 * the one definition of "overdue" that tiles, KPIs, lists, exports, OGC and Open311 share.
 * Adding a status means editing this file and the state machine (lifecycle/machine.ts), and a
 * migration for the CHECK constraint and the partial indexes written over these sets.
 */

export const STATUSES = ['new', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened', 'rejected'] as const;
export type Status = (typeof STATUSES)[number];

/** Work is still owed: these can be overdue, escalated or reassigned. */
export const ACTIVE_STATUSES = ['new', 'assigned', 'in_progress', 'reopened'] as const satisfies readonly Status[];

/** Not final: active, or resolved and waiting for the citizen (an appeal in one of these has `is_open`). */
export const OPEN_STATUSES = [...ACTIVE_STATUSES, 'resolved'] as const satisfies readonly Status[];

/** Final: nothing more happens unless the citizen disputes a closure. */
export const FINAL_STATUSES = ['closed', 'rejected'] as const satisfies readonly Status[];

const isIn = (set: readonly string[]) => (s: string) => set.includes(s);
export const isActive = isIn(ACTIVE_STATUSES);
export const isOpen = isIn(OPEN_STATUSES);

/**
 * SQL: the appeal `alias` is open — not final (the generated column `is_open`, migration 001,
 * which the partial indexes are written over). What `status=open` means everywhere: the API's
 * filters, the tiles' default, Open311's `status=open`, OGC.
 */
export const openSql = (alias = 'i') => `${alias}.is_open`;

/** `'new','assigned',…` for an SQL IN list (constants of this file only, never input). */
const sqlList = (set: readonly string[]) => set.map((s) => `'${s}'`).join(',');

/** SQL: the status of `alias` is active. Literal, so the planner matches the partial indexes. */
export const activeSql = (alias = 'i') => `${alias}.status IN (${sqlList(ACTIVE_STATUSES)})`;

/** SQL: the appeal `alias` is overdue — active and past its deadline. The one definition. */
export const overdueSql = (alias = 'i') => `(${activeSql(alias)} AND ${alias}.due_at < now())`;
