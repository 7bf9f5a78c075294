import { describe, expect, it } from 'vitest';
import { IncidentFilterSchema } from '../../server/incidents/filters.ts';
import { decodeCursor, encodeCursor } from '../../server/incidents/queries.ts';
import { formProblems, jsonProblems, pathProblems, scrubJson, textProblem } from '../../server/input-checks.ts';
import { instantMs, isInstant, parseInstant } from '../../server/instants.ts';
import { parseDatetime } from '../../server/ogc/params.ts';
import { decodePageCursor, encodePageCursor } from '../../server/ogc/queries.ts';
import { requestQuery } from '../../server/open311/request-query.ts';
import { schemaKeys } from '../../server/query-guard.ts';

/**
 * Issue 15, finding 8: what JavaScript reads but PostgreSQL refuses must be refused before the
 * database. Every value here was a 500 on main when it reached a query.
 */

// Each of these Date.parse reads (NaN-free), and PostgreSQL's timestamptz refuses or cannot hold.
const FORGED = [
  '0',
  '1',
  '2026',
  '2026-02-30',
  '2026-02-30T10:00:00Z',
  '2025-02-29',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '0000-01-01',
  '1899-12-31',
  '2201-01-01',
  '9999-12-31T23:59:59Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T10:00:00+15:00',
  'Tue, 01 Jan 2026 10:00:00 GMT',
  '2026/01/01',
  '01/02/2026',
  '2026-01-01T10:00:00Z\u0000',
];

describe('instants (server/instants.ts)', () => {
  it.each(FORGED)('refuses %j, which Date.parse may read', (s) => {
    expect(parseInstant(s)).toBeNull();
    expect(isInstant(s)).toBe(false);
    expect(instantMs(s)).toBeNaN();
  });

  it.each([
    ['2026-03-21', Date.UTC(2026, 2, 21)],
    ['2026-03-21T10:00', Date.UTC(2026, 2, 21, 10)],
    ['2026-03-21 10:00:05', Date.UTC(2026, 2, 21, 10, 0, 5)],
    ['2026-03-21T10:00:00+05:00', Date.UTC(2026, 2, 21, 5)],
    ['2026-03-21T10:00:00.123456Z', Date.UTC(2026, 2, 21, 10, 0, 0, 123.456)],
    ['2024-02-29T00:00:00-0330', Date.UTC(2024, 1, 29, 3, 30)],
    ['1900-01-01', Date.UTC(1900, 0, 1)],
    ['2200-12-31T23:59:59Z', Date.UTC(2200, 11, 31, 23, 59, 59)],
  ])('reads %s', (s, ms) => {
    expect(parseInstant(s)?.ms).toBeCloseTo(ms, 0);
  });

  it('is what the incident filters, both cursors, OGC datetime and Open311 dates use', () => {
    for (const s of FORGED) {
      expect(IncidentFilterSchema.safeParse({ from: s }).success, `from=${s}`).toBe(false);
      expect(IncidentFilterSchema.safeParse({ to: s }).success, `to=${s}`).toBe(false);
      expect(() => decodeCursor(encodeCursor('created', s, 1), 'created'), `cursor ${s}`).toThrow(/cursor/i);
      expect(() => decodePageCursor(encodePageCursor('after', { at: s, id: 1 })), `OGC cursor ${s}`).toThrow(/cursor/i);
      expect(parseDatetime(s), `datetime=${s}`).toBeNull();
      expect(() => requestQuery({ start_date: s }, () => 1), `start_date=${s}`).toThrow(/start_date/);
      expect(() => requestQuery({ updated_after: s }, () => 1), `updated_after=${s}`).toThrow(/updated_after/);
    }
    // What the server itself writes in a cursor still reads.
    expect(decodeCursor(encodeCursor('created', '2026-03-21T10:00:00.123456Z', 7), 'created')).toEqual(['2026-03-21T10:00:00.123456Z', 7]);
    expect(IncidentFilterSchema.safeParse({ from: '2026-03-01', to: '2026-03-21T10:00:00+05:00' }).success).toBe(true);
  });
});

describe('text checks (server/input-checks.ts)', () => {
  it('names NUL and lone surrogates, and lets every real character through', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    expect(textProblem('a\ud800b')).toMatch(/surrogate/);
    expect(textProblem('\udc00')).toMatch(/surrogate/);
    expect(textProblem('Тараз 🌧 Жамбыл облысы, ул. Абая 1')).toBeNull();
    expect(textProblem('\ufffd is fine')).toBeNull();
  });

  it('decodes query strings and form bodies strictly', () => {
    expect(formProblems('q=a%00b&status=open', 'query')).toEqual([{ path: 'q', message: expect.stringMatching(/^q .*NUL/) }]);
    expect(formProblems('q=%FF%FE', 'query')[0]).toMatchObject({ path: 'q', message: expect.stringMatching(/UTF-8/) });
    expect(formProblems('q=%ED%A0%80', 'query')[0].message).toMatch(/UTF-8/); // an encoded lone surrogate
    expect(formProblems('q=%', 'query')[0].message).toMatch(/UTF-8/);
    expect(formProblems('%00=1', 'body')[0].path).toBe('body name');
    expect(formProblems('q=%D0%A2%D0%B0%D1%80%D0%B0%D0%B7+1&x=&y', 'query')).toEqual([]);
  });

  it('checks every segment of a path', () => {
    expect(pathProblems('/open311/v2/services/roads%00.json')).toHaveLength(1);
    expect(pathProblems('/ogc/collections/incidents/items/%C0%AF')).toHaveLength(1);
    expect(pathProblems('/api/public/incidents/109-2026-000001')).toEqual([]);
  });

  it('walks JSON to every string and key, naming the field', () => {
    expect(jsonProblems({ description: 'ok', reporter: { name: 'A\u0000' }, tags: ['x', '\ud83d'] }).map((p) => p.path)).toEqual([
      'reporter.name',
      'tags.1',
    ]);
    expect(jsonProblems({ ['k\u0000']: 1 })).toHaveLength(1);
    expect(jsonProblems({ a: [1, true, null, { b: 'Алматы 😀' }] })).toEqual([]);
  });

  it('scrubs a messenger update instead of refusing it', () => {
    expect(scrubJson({ message: { text: 'a\u0000b\ud800c' } })).toEqual({ message: { text: 'ab\ufffdc' } });
  });
});

describe('query parameters of a schema (server/query-guard.ts)', () => {
  it('reads the keys of objects, intersections and refinements', () => {
    expect(schemaKeys(IncidentFilterSchema).sort()).toEqual(
      ['bbox', 'category', 'channel', 'district', 'from', 'q', 'service', 'status', 'to', 'type'].sort(),
    );
  });
});
