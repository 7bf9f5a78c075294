import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { alertSnapshotSchema } from '../contract/alerts.ts';
import { describeRoute } from '../openapi/registry.ts';
import type { AlertSnapshot } from './queries.ts';

/**
 * GET /api/alerts — the city's current alerts (spikes, clusters of emergency appeals, overdue
 * critical appeals), most urgent first: `{generatedAt, items: Alert[]}`. No personal data: the
 * same audience as the live stream. Served from the live ticker's snapshot (at most a second
 * old while screens listen, computed on demand otherwise).
 */
describeRoute('GET', '/api/alerts', {
  summary: 'Current alerts: spikes, clusters of emergency appeals, overdue critical appeals',
  description:
    'Each alert says what (`category`), where (`district`, null = city-wide), how many (`count`) and since when (`since`), most urgent first. Pushed on /api/live as the `alerts` event when it changes.',
  responses: { '200': { description: 'The alerts, most urgent first', schema: alertSnapshotSchema } },
});

export function alertRoutes(source: { latest(): Promise<AlertSnapshot> }) {
  return new Hono<AppEnv>().get('/', async (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json(await source.latest());
  });
}
