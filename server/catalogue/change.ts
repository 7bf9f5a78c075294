import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import { conflict } from '../errors.ts';
import { catalogueChanged } from './version.ts';

export type Entity = 'category' | 'service' | 'routing' | 'holiday' | 'catalogue';
export type Action = 'create' | 'update' | 'move' | 'retire' | 'restore' | 'delete' | 'import';

/** Who edits: the signed-in user. */
export interface Editor {
  id: number;
  login: string;
}

export interface ChangeTx {
  db: pg.PoolClient;
  /** the catalogue's version after this change */
  version: number;
  /** Records one change in the log (who, when, what, before and after). */
  log(entity: Entity, code: string, action: Action, before: unknown, after: unknown): Promise<void>;
}

/**
 * Runs one catalogue change in a transaction: moves the catalogue's version first (which also
 * queues concurrent edits one after another), lets `fn` edit and log, and after the commit drops
 * this instance's cached lists; the other instances see the new version within a second.
 */
export async function inChange<T>(pool: pg.Pool, editor: Editor, fn: (tx: ChangeTx) => Promise<T>): Promise<T> {
  const result = await withTransaction(pool, async (db) => {
    const { rows } = await db.query<{ version: string }>('UPDATE catalogue_state SET version = version + 1 RETURNING version');
    const version = Number(rows[0].version);
    const log: ChangeTx['log'] = async (entity, code, action, before, after) => {
      await db.query(
        `INSERT INTO catalogue_changes (user_id, login, entity, code, action, before, after, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          editor.id,
          editor.login,
          entity,
          code,
          action,
          before === undefined ? null : JSON.stringify(before),
          after === undefined ? null : JSON.stringify(after),
          version,
        ],
      );
    };
    return fn({ db, version, log });
  });
  catalogueChanged(pool);
  return result;
}

/** 409 when the version an edit read is not the row's version now (someone changed it meanwhile). */
export function checkVersion(what: string, current: number, given: number): void {
  if (current !== given) {
    throw conflict(`This ${what} was changed by someone else meanwhile (version ${current}, not ${given}); reload and try again.`, [
      { path: 'version', message: `stale: the current version is ${current}`, current },
    ]);
  }
}

/** Drops the database's bookkeeping from a row for the log (ids mean nothing outside). */
export function snapshot<T extends { id?: number }>(row: T | undefined): Omit<T, 'id'> | undefined {
  if (!row) return undefined;
  const { id: _id, ...rest } = row;
  return rest;
}
