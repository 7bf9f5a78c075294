import type pg from 'pg';

/** The PostGIS library version of the database (answers only when the database does). */
export async function postgisVersion(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ v: string }>('SELECT postgis_lib_version() AS v');
  return rows[0].v;
}
