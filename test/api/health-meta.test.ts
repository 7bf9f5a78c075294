import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();

describe('GET /api/health', () => {
  it('reports the engine under test and its PostGIS version', async () => {
    const { status, body } = await t.json('/api/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.database.engine).toBe(t.engine);
    expect(body.database.postgis).toMatch(/^3\.\d+/);
  });
});

describe('GET /api/meta', () => {
  it('lists the city, districts, services and the category tree in kk/ru/en', async () => {
    const { status, body } = await t.json('/api/meta');
    expect(status).toBe(200);
    expect(body.city.code).toBe('taraz');
    expect(body.city.bounds[0][0]).toBeGreaterThan(71.2);
    expect(body.districts.length).toBeGreaterThanOrEqual(10);
    expect(body.services.length).toBeGreaterThanOrEqual(15);
    const spheres = body.categories.filter((c: any) => c.parent === null);
    expect(spheres.length).toBeGreaterThanOrEqual(15);
    expect(body.categories.length - spheres.length).toBeGreaterThanOrEqual(80);
    for (const item of [...body.districts, ...body.services, ...body.categories]) {
      expect(item.name.kk && item.name.ru && item.name.en, JSON.stringify(item)).toBeTruthy();
    }
    const codes = new Set(body.categories.map((c: any) => c.code));
    for (const c of body.categories) if (c.parent) expect(codes.has(c.parent)).toBe(true);
    expect(body.enums.statuses).toContain('in_progress');
    expect(body.districts[0]).not.toHaveProperty('geom');
  });

  it('answers unknown API paths with the JSON error shape', async () => {
    const { status, body } = await t.json('/api/nowhere');
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });
});
