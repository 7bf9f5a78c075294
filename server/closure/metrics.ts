import type pg from 'pg';
import { proofPredicate } from './proof.ts';

/**
 * Verified closure (issue 24, item 4), per service or district over a period [from, to):
 *
 * - reopen rate: appeals reopened after a citizen's dispute (by a feedback link, or by staff on
 *   the citizen's call) ÷ resolutions — both counted as events in the period;
 * - share with proof: resolutions with a photo attached (server/closure/proof.ts) ÷ resolutions;
 * - share confirmed: resolved appeals the citizen rated 4 or 5 and did not dispute afterwards ÷
 *   resolved appeals whose citizen was asked (a feedback link issued, or feedback given).
 *
 * An appeal counts under its current service and district. Aggregates only: no personal data.
 */
export type ClosureBy = 'service' | 'district';

export interface ClosureFigures {
  resolved: number;
  reopened: number;
  reopen_rate: number | null;
  with_proof: number;
  proof_share: number | null;
  feedback_asked: number;
  confirmed: number;
  confirmed_share: number | null;
}

interface Row {
  total: boolean;
  code: string | null;
  resolved: number;
  reopened: number;
  with_proof: number;
  asked: number;
  confirmed: number;
}

const GROUP = {
  service: { join: 'LEFT JOIN services k ON k.id = i.service_id' },
  district: { join: 'LEFT JOIN districts k ON k.id = i.district_id' },
} as const;

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

export function figures(r: { resolved: number; reopened: number; with_proof: number; asked: number; confirmed: number }): ClosureFigures {
  return {
    resolved: r.resolved,
    reopened: r.reopened,
    reopen_rate: ratio(r.reopened, r.resolved),
    with_proof: r.with_proof,
    proof_share: ratio(r.with_proof, r.resolved),
    feedback_asked: r.asked,
    confirmed: r.confirmed,
    confirmed_share: ratio(r.confirmed, r.asked),
  };
}

export async function closureMetrics(pool: pg.Pool | pg.PoolClient, by: ClosureBy, from: string, to: string) {
  const proof = await proofPredicate(pool);
  const asked = `(EXISTS (SELECT 1 FROM incident_feedback_tokens t WHERE t.incident_id = ev.incident_id)
                  OR EXISTS (SELECT 1 FROM incident_feedback f WHERE f.incident_id = ev.incident_id)
                  OR i.rating IS NOT NULL)`;
  const confirmed = `((EXISTS (SELECT 1 FROM incident_feedback f WHERE f.incident_id = ev.incident_id AND NOT f.disputed AND f.rating >= 4)
                      OR i.rating >= 4)
                     AND NOT EXISTS (SELECT 1 FROM incident_feedback f WHERE f.incident_id = ev.incident_id AND f.disputed AND f.at >= ev.at))`;
  const { rows } = await pool.query<Row>(
    `SELECT GROUPING(k.code) = 1 AS total, k.code,
            count(*) FILTER (WHERE ev.to_status = 'resolved')::int AS resolved,
            count(*) FILTER (WHERE ev.to_status = 'reopened')::int AS reopened,
            count(*) FILTER (WHERE ev.to_status = 'resolved' AND ${proof})::int AS with_proof,
            count(DISTINCT ev.incident_id) FILTER (WHERE ev.to_status = 'resolved' AND ${asked})::int AS asked,
            count(DISTINCT ev.incident_id) FILTER (WHERE ev.to_status = 'resolved' AND ${asked} AND ${confirmed})::int AS confirmed
       FROM incident_events ev JOIN incidents i ON i.id = ev.incident_id
       ${GROUP[by].join}
      WHERE ev.action = 'transition' AND ev.to_status IN ('resolved', 'reopened')
        AND (ev.to_status = 'resolved' OR coalesce(ev.data ->> 'action', 'dispute') IN ('dispute', 'reopen'))
        AND ev.at >= $1 AND ev.at < $2
      GROUP BY GROUPING SETS ((k.code), ())
      ORDER BY k.code NULLS LAST`,
    [from, to],
  );
  const total = rows.find((r) => r.total);
  return {
    period: { from, to },
    by,
    total: figures(total ?? { resolved: 0, reopened: 0, with_proof: 0, asked: 0, confirmed: 0 }),
    items: rows.filter((r) => !r.total).map((r) => ({ code: r.code, ...figures(r) })),
  };
}
