import type pg from 'pg';
import { log } from '../log.ts';

/**
 * How often the server settles open_incident_cells (migration 028): sets the appeals' `lapsed`
 * and `aged` flags that have become true and folds the rows appended by writers. Tiles are exact
 * without it; between runs they read a few more rows.
 */
export const CELLS_SETTLE_EVERY_MS = 5_000;

/** One settle run; one instance at a time (an advisory lock: the others return at once). */
export async function settleTileCells(pool: pg.Pool): Promise<void> {
  try {
    await pool.query('SELECT open_incident_cells_settle()');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'settling the tile cells failed');
  }
}
