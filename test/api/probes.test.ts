import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_MATRIX } from '../../server/auth/matrix.ts';
import { testApp } from '../helpers/app.ts';
import { probeTally } from '../helpers/probes.ts';

/**
 * An anonymous loop over distinct parameters on every public GET route of the access matrix, as
 * the loop that exhausted the server's memory did (issue 15, findings 1 and 8):
 *
 * - `?x=<n>`, a parameter no route takes, with a new value each time: must be a 400 with the
 *   error shape on every route (a cache keyed on the raw query string stores each of them);
 * - every query parameter the route declares (OpenAPI), with hostile values that JavaScript
 *   parses and PostgreSQL may not (NUL, impossible dates, huge years, NaN): never a 5xx.
 *
 * 5xx, answers with stack or SQL text (leaks) and the bytes answered are recorded for the probes
 * table in docs/security.md; the checks come after the whole loop, so that one failing route
 * does not hide the others. On main before issue 15's fixes this file fails by design.
 */
const t = testApp();
const DISTINCT = 12;
const tally = probeTally('probes.test.ts', 'anonymous distinct parameters on every public GET route');
afterAll(() => tally.record());

const HOSTILE = ['a\u0000b', '\u0000', '0', '2026-02-30', '+275760-09-13T00:00:00Z', 'NaN', '-1', '1e999', '9'.repeat(30), 'ä'.repeat(600)];
const LEAKS = [/\n\s+at\s+\S/, /node_modules/, /\.(ts|js):\d+/, /\bSELECT\b[\s\S]*\bFROM\b/i, /syntax error at/i, /invalid input syntax/i];

const valid = { id: '', number: '', lng: 0, lat: 0 };
const declared = new Map<string, string[]>();

beforeAll(async () => {
  const { rows } = await t.pool.query(`SELECT id, number FROM incidents ORDER BY id LIMIT 1`);
  valid.id = String(rows[0].id);
  valid.number = rows[0].number;
  const meta = (await t.json('/api/meta')).body;
  valid.lng = meta.districts[0].lng;
  valid.lat = meta.districts[0].lat;
  const doc = (await t.json('/api/openapi.json')).body;
  for (const [p, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    const get = ops.get;
    if (get)
      declared.set(
        p.replace(/\{([^}]+)\}(\.mvt)?/g, ':$1'),
        (get.parameters ?? []).filter((x: any) => x.in === 'query').map((x: any) => x.name),
      );
  }
});

/** Concrete paths of a route pattern (several for Open311's `:file`). */
function concrete(path: string): string[] {
  const z = 14;
  const n = 2 ** z;
  const rad = (valid.lat * Math.PI) / 180;
  const x = Math.floor(((valid.lng + 180) / 360) * n);
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  const p = path
    .replace(/:y\{[^}]*\}/, `${y}.mvt`)
    .replace(':z', String(z))
    .replace(':x', String(x))
    .replace(':id', valid.id)
    .replace(':number', valid.number)
    .replace(':token', 'no-such-token')
    .replace(':key', 'no-such-photo')
    .replace(':collectionId', 'incidents')
    .replace(':featureId', valid.id)
    .replace(/:sprite\{[^}]*\}/, 'sprite.json')
    .replace(':stack', encodeURIComponent('Jardem Sans Regular'))
    .replace(/:range\{[^}]*\}/, '0-255.pbf');
  if (!p.includes(':file')) return [p];
  if (p.endsWith('/services/:file')) return [p.replace(':file', 'roads.pothole.json')];
  if (p.endsWith('/requests/:file')) return [p.replace(':file', `${valid.number}.json`)];
  if (p.endsWith('/tokens/:file')) return [p.replace(':file', 'no-such-token.json')];
  return ['services.json', 'requests.json', 'discovery.json'].map((f) => p.replace(':file', f));
}

// The staff app's entry (/, /index.html) is a page whose client keeps its own state in the URL
// (filters, the district in view): pages do not refuse parameters (DESIGN.md).
const routes = ACCESS_MATRIX.filter((e) => e.method === 'GET' && e.access.kind === 'public' && e.action !== 'app.page');

interface Found {
  route: string;
  path: string;
  status: number;
  text: string;
}

describe('anonymous distinct parameters on every public GET route', () => {
  it('finds the public routes', () => {
    expect(routes.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/hotspots', '/api/incidents', '/ogc/collections/:collectionId/items']),
    );
  });

  it('never answers 5xx, and answers 400 to a parameter the route does not take', { timeout: 600_000 }, async () => {
    const unknownAccepted: Found[] = [];
    const fiveXX: Found[] = [];
    const leaks: Found[] = [];
    const bytes = new Map<string, { total: number; max: number }>();
    let i = 0;
    const send = async (route: string, path: string) => {
      tally.tried++;
      const res = await t.request(path);
      let text = '';
      if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) await res.body?.cancel();
      else text = await res.text();
      const b = bytes.get(route) ?? { total: 0, max: 0 };
      b.total += text.length;
      b.max = Math.max(b.max, text.length);
      bytes.set(route, b);
      if (res.status >= 500) {
        tally.fiveXX++;
        fiveXX.push({ route, path, status: res.status, text: text.slice(0, 200) });
      }
      if (res.status >= 400 && LEAKS.some((l) => l.test(text))) {
        tally.leaks++;
        leaks.push({ route, path, status: res.status, text: text.slice(0, 200) });
      }
      return { status: res.status, text };
    };
    for (const r of routes) {
      const params = declared.get(r.path.replace(/\{[^}]*\}/g, '')) ?? [];
      for (const base of concrete(r.path)) {
        const sep = base.includes('?') ? '&' : '?';
        for (let k = 0; k < DISTINCT; k++) {
          const path = `${base}${sep}x=${++i}`;
          const res = await send(r.path, path);
          if (res.status !== 400) unknownAccepted.push({ route: r.path, path, status: res.status, text: res.text.slice(0, 120) });
        }
        for (const name of params) {
          for (const value of HOSTILE) await send(r.path, `${base}${sep}${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
        }
      }
    }
    const largest = [...bytes].sort((a, b) => b[1].total - a[1].total).slice(0, 5);
    console.log(
      `probes: ${tally.tried} requests, ${tally.fiveXX} 5xx, ${unknownAccepted.length} unknown parameters not refused; most bytes: ${largest
        .map(([route, b]) => `${route} ${(b.total / 1024).toFixed(0)} KiB (max ${(b.max / 1024).toFixed(0)} KiB)`)
        .join(', ')}`,
    );
    const list = (xs: Found[]) =>
      [...new Map(xs.map((x) => [x.route, x])).values()].map((x) => `${x.status} ${x.path} ${x.text.replace(/\s+/g, ' ')}`).join('\n');
    // One example per route, so that the message stays readable.
    expect(fiveXX.length, `5xx:\n${list(fiveXX)}`).toBe(0);
    expect(leaks.length, `stack or SQL text:\n${list(leaks)}`).toBe(0);
    expect(unknownAccepted.length, `not 400 to an unknown parameter:\n${list(unknownAccepted)}`).toBe(0);
  });
});
