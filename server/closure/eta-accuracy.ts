import type pg from 'pg';

/** The ETA job's accuracy per category (eta_accuracy), and over all of them (weighted by appeals). */
export async function etaAccuracy(pool: pg.Pool) {
  const { rows } = await pool.query<{
    category: string;
    n: number;
    mae_h: number;
    within25: number;
    window_days: number;
    computed_at: Date;
  }>(
    `SELECT c.code AS category, a.n, a.mae_h, a.within25, a.window_days, a.computed_at
       FROM eta_accuracy a JOIN categories c ON c.id = a.category_id
      ORDER BY a.n DESC, c.code`,
  );
  const n = rows.reduce((s, r) => s + r.n, 0);
  const round1 = (v: number) => Math.round(v * 10) / 10;
  const round3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    computed_at: rows.length ? new Date(Math.max(...rows.map((r) => r.computed_at.getTime()))).toISOString() : null,
    window_days: rows[0]?.window_days ?? null,
    total: n
      ? {
          n,
          mae_h: round1(rows.reduce((s, r) => s + r.mae_h * r.n, 0) / n),
          within25: round3(rows.reduce((s, r) => s + r.within25 * r.n, 0) / n),
        }
      : null,
    items: rows.map((r) => ({ category: r.category, n: r.n, mae_h: round1(r.mae_h), within25: round3(r.within25) })),
  };
}
