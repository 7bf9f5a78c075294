/**
 * One contract between client and server: the answers the client reads match the zod schemas in
 * server/contract (the client's types are inferred from them), field for field, and the OpenAPI
 * description publishes the same schemas.
 */
import { describe, expect, it } from 'vitest';
import { alertSnapshotSchema } from '../../server/contract/alerts.ts';
import { kpisSchema, summarySchema } from '../../server/contract/kpis.ts';
import { liveIncidentSchema } from '../../server/contract/live.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();

describe('the contract between client and server', () => {
  it('the summary KPIs are exactly the contract’s fields, city-wide and per district', async () => {
    const { status, body } = await t.json('/api/stats/summary');
    expect(status).toBe(200);
    const summary = summarySchema.parse(body);
    expect(Object.keys(summary.districts).length).toBeGreaterThan(0);
    // No field the contract does not know (a field added on one side only fails here).
    kpisSchema.strict().parse(body.city);
    for (const d of Object.values(body.districts)) kpisSchema.strict().parse(d);
  });

  it('the alerts answer is the contract’s snapshot', async () => {
    const { status, body } = await t.json('/api/alerts');
    expect(status).toBe(200);
    const snapshot = alertSnapshotSchema.strict().parse(body);
    expect(Number.isNaN(Date.parse(snapshot.generatedAt))).toBe(false);
  });

  it('an appeal event of the live stream carries exactly the contract’s fields', async () => {
    const cookie = await t.login('dispatcher');
    const created = await t.register(cookie, 'contract test');
    expect(created.status).toBe(201);
    const { rows } = await t.pool.query<{ payload: unknown }>('SELECT payload FROM live_events WHERE incident_id = $1', [created.body.id]);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) liveIncidentSchema.strict().parse(r.payload);
  });

  it('OpenAPI describes the answers with the same schemas', async () => {
    const { body } = await t.json('/api/openapi.json');
    const summary = body.paths['/api/stats/summary'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(summary.properties)).toEqual(['period', 'city', 'districts']);
    expect(Object.keys(summary.properties.city.properties).sort()).toEqual(Object.keys(kpisSchema.shape).sort());
    const alerts = body.paths['/api/alerts'].get.responses['200'].content['application/json'].schema;
    expect(alerts.properties.items.items.properties.kind.enum).toEqual([
      'spike',
      'emergency_cluster',
      'overdue_critical',
      'outage_overdue',
    ]);
  });
});
