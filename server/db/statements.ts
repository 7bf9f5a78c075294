import type pg from 'pg';
import type { Engine } from './pool.ts';

/**
 * Named (prepared) statements, where they are safe. PostgreSQL keeps one session per
 * connection, so each connection parses and plans a named statement once. PGlite's socket
 * serves every connection from its one session, where the second connection to prepare a name
 * would collide with the first: there statements stay unnamed.
 */
const engines = new WeakMap<object, Engine>();
const namedClients = new WeakSet<object>();

/** Says which engine a pool talks to (createApp does, for its pool). */
export function registerEngine(pool: pg.Pool, engine: Engine): void {
  engines.set(pool, engine);
}

/** Whether this pool's connections may use named statements. */
export function namedStatementsOn(pool: pg.Pool): boolean {
  return engines.get(pool) === 'postgres';
}

/** Marks a connection checked out of such a pool, for the helpers that only see the connection. */
export function allowNamedStatements(client: object): void {
  namedClients.add(client);
}

/** `name` when `db` (a pool or a marked connection) may use named statements, else undefined. */
export function statementName(db: object, name: string): string | undefined {
  return namedClients.has(db) || engines.get(db) === 'postgres' ? name : undefined;
}
