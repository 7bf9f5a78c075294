/** Verified closure and ETA accuracy (server/closure): aggregates only, no personal data. */
import { z } from 'zod';

/** Resolutions, reopenings after a dispute, proof and the citizens' confirmation; shares 0–1, null when nothing to divide by. */
export const closureFiguresSchema = z.object({
  resolved: z.number().int(),
  reopened: z.number().int(),
  reopen_rate: z.number().nullable(),
  with_proof: z.number().int(),
  proof_share: z.number().nullable(),
  feedback_asked: z.number().int(),
  confirmed: z.number().int(),
  confirmed_share: z.number().nullable(),
});

/** GET /api/stats/closure */
export const closureSchema = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  by: z.enum(['service', 'district']),
  total: closureFiguresSchema,
  /** per service or district code (null: appeals without one) */
  items: z.array(closureFiguresSchema.extend({ code: z.string().nullable() })),
});

const accuracy = { n: z.number().int(), mae_h: z.number(), within25: z.number() };

/** GET /api/stats/eta-accuracy: mean absolute error (hours) and the share within ±25 %, overall and by category. */
export const etaAccuracySchema = z.object({
  computed_at: z.string().nullable(),
  window_days: z.number().int().nullable(),
  total: z.object(accuracy).nullable(),
  items: z.array(z.object({ category: z.string(), ...accuracy })),
});

export type Closure = z.infer<typeof closureSchema>;
export type EtaAccuracy = z.infer<typeof etaAccuracySchema>;
