import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { IncidentFilterSchema } from '../incidents/filters.ts';
import { respondCached } from '../response-cache.ts';
import { validQuery } from '../validate.ts';
import { repeatedClusters } from './clusters.ts';
import { hotspots } from './hotspots.ts';
import { HashGate, type HashGateOptions } from '../auth/hash-gate.ts';

const DAY_MS = 86_400_000;
/** The longest period one request may analyse. */
const MAX_DAYS = 731;

/** [from, to): `to` defaults to now, `from` to 30 days before `to`. */
function period(q: { from?: string; to?: string }) {
  const to = q.to ?? new Date().toISOString();
  const from = q.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
  return { from, to };
}

const withinMaxPeriod = <T extends { from?: string; to?: string }>(schema: z.ZodType<T>) =>
  schema.refine(
    (q) => {
      // zod runs refinements after a field failed too: an invalid date is reported by its own check.
      const span = Date.parse(q.to ?? new Date().toISOString()) - Date.parse(q.from ?? '1970-01-01');
      return !q.from || Number.isNaN(span) || span <= MAX_DAYS * DAY_MS;
    },
    { message: `the period may be at most ${MAX_DAYS} days`, path: ['from'] },
  );

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const HotspotQuery = withinMaxPeriod(
  IncidentFilterSchema.and(
    z.object({
      /** distance between neighbouring hexagon centres, metres */
      cell: z.coerce.number().min(100).max(5000).default(400),
      /** distance band of the neighbours, metres; absent: automatic */
      band: z.coerce.number().min(100).max(10_000).optional(),
      slices: z.coerce.number().int().min(1).max(52).optional(),
      normalize: z.enum(['none', 'population']).default('none'),
      skew_correction: flag.default(true),
      include: z.enum(['all', 'significant']).default('all'),
    }),
  ),
).refine((q) => q.band === undefined || (q.band >= q.cell && q.band <= 20 * q.cell), {
  message: 'band must be between cell and 20 × cell metres (a band below cell leaves a cell without neighbours)',
  path: ['band'],
});

const ClusterQuery = withinMaxPeriod(
  IncidentFilterSchema.and(
    z.object({
      eps: z.coerce.number().min(10).max(1000).default(120),
      min_points: z.coerce.number().int().min(2).max(100).default(5),
      level: z.enum(['category', 'kind']).default('category'),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  ),
);

/**
 * Analyses (Gi* over a hexagon grid, DBSCAN) take hundreds of milliseconds of CPU each and are
 * public: one runs at a time per process and 16 wait, the rest are told to come back (503
 * `analysis_busy`), so a flood of distinct analyses leaves the other core to everyone else.
 * Anonymous analyses also rest as long as they ran (at most half a core between them); signed-in
 * staff have a slot of their own, so a public flood does not hold the officials' page back.
 * Answers already cached are served without waiting.
 */
export const ANALYSIS_GATE_OPTIONS: HashGateOptions = {
  concurrency: 1,
  queue: 16,
  busy: { code: 'analysis_busy', message: 'Too many analyses at once; try again in a few seconds.' },
};
export const PUBLIC_ANALYSIS_GATE_OPTIONS: HashGateOptions = { ...ANALYSIS_GATE_OPTIONS, rest: 1 };

export function hotspotRoutes({ pool }: Deps) {
  const staffGate = new HashGate(ANALYSIS_GATE_OPTIONS);
  const publicGate = new HashGate(PUBLIC_ANALYSIS_GATE_OPTIONS);
  const gateOf = (c: Context<AppEnv>) => (c.get('user') ? staffGate : publicGate);
  return new Hono<AppEnv>()
    .get('/', validQuery(HotspotQuery), async (c) => {
      const { cell, band, slices, normalize, skew_correction, include, ...filter } = c.req.valid('query');
      const { from, to } = period(filter);
      // An analysis of weeks: kept a minute (and until appeals change).
      return respondCached(c, pool, 60_000, async () =>
        gateOf(c).run(async () =>
          hotspots(pool, await getCatalog(pool), {
            filter,
            from,
            to,
            cell,
            band,
            slices,
            normalize,
            skewCorrection: skew_correction,
            include,
          }),
        ),
      );
    })
    .get('/clusters', validQuery(ClusterQuery), async (c) => {
      const { eps, min_points, level, limit, ...filter } = c.req.valid('query');
      const { from, to } = period(filter);
      const catalog = await getCatalog(pool);
      return c.json(
        await gateOf(c).run(() => repeatedClusters(pool, catalog, { filter, from, to, eps, minPoints: min_points, level, limit })),
      );
    });
}
