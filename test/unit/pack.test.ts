import { readFileSync } from 'node:fs';
import { area, booleanPointInPolygon, centroid, intersect, featureCollection, bbox, union } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { flattenCategories, readCityPack } from '../../server/geodata/pack.ts';
import { sharedData } from '../helpers/shared-data.ts';

const pack = await readCityPack('taraz');
// The real city outline (Kazakhstan ADM2 2024, CC BY 4.0), read from the shared data folder.
const boundary = JSON.parse(readFileSync(sharedData('kz/taraz-city-boundary.geojson'), 'utf8')).features[0];

describe('Taraz city pack', () => {
  const districts = pack.districts.features as any[];

  it('has 10–14 approximate districts with kk/ru/en names and populations', () => {
    expect(districts.length).toBeGreaterThanOrEqual(10);
    expect(districts.length).toBeLessThanOrEqual(14);
    expect(pack.districts.provenance).toMatch(/approximate/i);
    for (const d of districts) {
      expect(d.properties.approximate).toBe(true);
      expect(d.properties.population).toBeGreaterThan(1000);
      expect(d.properties.name_kk && d.properties.name_ru && d.properties.name_en).toBeTruthy();
    }
    const people = districts.reduce((a, d) => a + d.properties.population, 0);
    expect(people).toBeGreaterThan(350_000);
    expect(people).toBeLessThan(550_000);
  });

  it('draws the districts inside the real city extent and outline, without overlaps', () => {
    const [x0, y0, x1, y1] = bbox(featureCollection(districts));
    expect(x0).toBeGreaterThanOrEqual(71.25);
    expect(x1).toBeLessThanOrEqual(71.48);
    expect(y0).toBeGreaterThanOrEqual(42.82);
    expect(y1).toBeLessThanOrEqual(42.97);
    for (const d of districts) expect(booleanPointInPolygon(centroid(d), boundary), d.properties.code).toBe(true);
    const all = union(featureCollection(districts))!;
    const inside = intersect(featureCollection([all, boundary]))!;
    expect(area(inside) / area(all)).toBeGreaterThan(0.95);
    for (let i = 0; i < districts.length; i++) {
      for (let j = i + 1; j < districts.length; j++) {
        const overlap = intersect(featureCollection([districts[i], districts[j]]));
        expect(overlap ? area(overlap) / area(districts[i]) : 0).toBeLessThan(0.001);
      }
    }
  });

  it('covers every sphere with 15+ spheres and 80+ categories, each with a norm, priority, service and radius', () => {
    const flat = flattenCategories(pack.categories);
    const spheres = flat.filter((c) => c.depth === 0);
    expect(spheres.length).toBeGreaterThanOrEqual(15);
    expect(flat.length - spheres.length).toBeGreaterThanOrEqual(80);
    const services = new Set(pack.services.map((s) => s.code));
    const codes = new Set<string>();
    for (const { node } of flat) {
      expect(codes.has(node.code), node.code).toBe(false);
      codes.add(node.code);
      expect(node.norm, node.code).toBeTruthy();
      expect(node.priority).toBeGreaterThanOrEqual(1);
      expect(services.has(node.service!), `${node.code} -> ${node.service}`).toBe(true);
      expect(node.radiusM).toBeGreaterThan(0);
      expect(node.name.kk && node.name.ru && node.name.en).toBeTruthy();
    }
    for (const sphere of ['heating', 'flooding', 'garbage', 'transport', 'roads', 'animals', 'noise', 'manholes', 'health', 'education']) {
      expect(
        [...codes].some((c) => c.includes(sphere)),
        sphere,
      ).toBe(true);
    }
  });

  it('has 15+ services and routing rules that refer to known codes, some per district', () => {
    expect(pack.services.length).toBeGreaterThanOrEqual(15);
    const districtCodes = new Set(districts.map((d) => d.properties.code));
    const categoryCodes = new Set(flattenCategories(pack.categories).map((c) => c.node.code));
    const serviceCodes = new Set(pack.services.map((s) => s.code));
    expect(pack.routing.length).toBeGreaterThanOrEqual(15);
    expect(pack.routing.filter((r) => r.district).length).toBeGreaterThanOrEqual(6);
    for (const r of pack.routing) {
      expect(categoryCodes.has(r.category), r.category).toBe(true);
      expect(serviceCodes.has(r.service), r.service).toBe(true);
      if (r.district) expect(districtCodes.has(r.district), r.district).toBe(true);
    }
  });

  it('knows Nauryz and the other public holidays', () => {
    const days = new Set(pack.holidays.map((h) => h.date));
    for (const d of ['2026-03-21', '2026-03-22', '2026-03-23', '2026-05-09', '2026-12-16']) expect(days.has(d), d).toBe(true);
  });
});
