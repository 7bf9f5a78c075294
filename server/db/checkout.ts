import type pg from 'pg';

/**
 * The one way the server takes a client out of the pool. pg-pool listens for errors on idle
 * clients only: while a client is checked out it has no 'error' listener, and a server that goes
 * away then (a restart sends 57P01 to every session) makes the client emit an 'error' event that
 * nobody handles, which ends the process. A checked-out client here always has a listener, for as
 * long as it is out; a client that failed is given back with the error, so the pool drops it
 * instead of handing a dead connection to the next request.
 */
export interface CheckedOut {
  client: pg.PoolClient;
  /** The connection error seen while the client was out, if any. */
  readonly broken: Error | undefined;
  /** Gives the client back; `discard` (or a connection error seen meanwhile) drops it from the pool. */
  release(discard?: boolean | Error): void;
}

/** Takes a client out of the pool with an 'error' listener attached until it is released. */
export async function checkout(pool: pg.Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let released = false;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);
  return {
    client,
    get broken() {
      return broken;
    },
    release(discard) {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      const reason = broken ?? (discard instanceof Error ? discard : discard ? new Error('client discarded') : undefined);
      client.release(reason);
    },
  };
}

/** Runs `fn` on one client of the pool and gives it back (dropped if its connection failed). */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const out = await checkout(pool);
  try {
    return await fn(out.client);
  } finally {
    out.release();
  }
}

/** Runs `fn` in a transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const out = await checkout(pool);
  try {
    await out.client.query('BEGIN');
    const result = await fn(out.client);
    await out.client.query('COMMIT');
    return result;
  } catch (err) {
    // A failed ROLLBACK means the connection is gone (or unusable): never reuse it.
    const rolledBack = await out.client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    out.release(!rolledBack);
    throw err;
  } finally {
    out.release();
  }
}
