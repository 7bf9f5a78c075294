import type pg from 'pg';

/**
 * Named (prepared) statements, where they are safe. PostgreSQL keeps one session per
 * connection, so each connection parses and plans a named statement once. PGlite's socket
 * serves every connection from its one session, where the second connection to prepare a name
 * would collide with the first: there statements stay unnamed. A pool is marked where it is
 * made for PostgreSQL (openDatabase), so that no later step can mistake one engine's pool for
 * the other's.
 */
const ownSessionPools = new WeakSet<object>();
const namedClients = new WeakSet<object>();

/** Marks a pool whose every connection is a session of its own (PostgreSQL's). */
export function markOwnSessions(pool: pg.Pool): pg.Pool {
  ownSessionPools.add(pool);
  return pool;
}

/** Whether this pool's connections may use named statements. */
export function namedStatementsOn(pool: pg.Pool): boolean {
  return ownSessionPools.has(pool);
}

/** Marks a connection checked out of such a pool, for the helpers that only see the connection. */
export function allowNamedStatements(client: object): void {
  namedClients.add(client);
}

/** `name` when `db` (a pool or a marked connection) may use named statements, else undefined. */
export function statementName(db: object, name: string): string | undefined {
  return namedClients.has(db) || ownSessionPools.has(db) ? name : undefined;
}
