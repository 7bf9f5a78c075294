import fc from 'fast-check';

/**
 * Hostile input for the fuzz tests: values that break parsers, validators and SQL (NaN,
 * Infinity, huge numbers, impossible dates, unknown codes, overlong and unicode text), and
 * requests built from them for any route the app mounts.
 */

/** Strings that have broken things somewhere: numbers, dates, bboxes, codes, injections, unicode. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e999',
  '1e308',
  '-0',
  '0',
  '-1',
  '1.5',
  '9007199254740993',
  '99999999999999999999999',
  '2147483648',
  '0x10',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '-180,-90,180,90',
  '-1e308,-1e308,1e308,1e308',
  'NaN,NaN,NaN,NaN',
  'Infinity,0,0,Infinity',
  '71.4,42.9,71.3,42.8',
  '1,2,3',
  '1,2,3,4,5,6',
  'a,b,c,d',
  '2026-13-45',
  '2026-02-30',
  '0000-00-00',
  '99999-01-01',
  '-000001-01-01T00:00:00Z',
  '2026-11-01T25:61:61Z',
  '2026-11-01T00:00:00+99:00',
  '2020-01-01/..',
  '../..',
  '..%2f..%2fetc%2fpasswd',
  'no.such.category',
  'open,closed,bogus',
  "' OR 1=1 --",
  "'; DROP TABLE incidents; --",
  '$1',
  '%00',
  '\u0000',
  '\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '𝕵𝖆𝖗𝖉𝖊𝖒 🏙️👩🏽‍🚒',
  'Қ'.repeat(5000),
  'x'.repeat(100_000),
  '<script>alert(1)</script>',
  '\r\nSet-Cookie: a=b',
];

export const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
);

/** A placeholder replaced by a number JSON parses to ±Infinity (JSON.stringify cannot write one). */
export const INFINITY_MARK = '__jardem_fuzz_inf__';

/** Values for JSON fields: wrong types, out-of-range numbers, broken GeoJSON, hostile text. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, true, false, [], {}, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, INFINITY_MARK),
  },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        type: fc.constantFrom('Point', 'point', 'Polygon', 'Feature', 'LineString', 42),
        coordinates: fc.oneof(
          fc.tuple(fc.double(), fc.double()),
          fc.constantFrom([INFINITY_MARK, 0], [71.4, 42.9, 5], [71.4], [], [[71.4, 42.9]], ['71.4', '42.9'], [1e9, 1e9], [-181, 91]),
          hostileString,
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Serialises a body; the Infinity placeholder becomes a literal that JSON.parse reads as ±Infinity. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(new RegExp(`"${INFINITY_MARK}"`, 'g'), () => (Math.random() < 0.5 ? '1e999' : '-1e999'));
}

export const BROKEN_JSON = [
  '',
  '{',
  '{"a":',
  '[1,2',
  '{"type":"Point","coordinates":[NaN,Infinity]}',
  "{'a':1}",
  'null',
  '"x"',
  '\u0000',
  '{"a":1}}',
];

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Query string from known and unknown names, repeated keys included. */
export function queryArb(names: string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: hostileString });
  return fc.array(fc.tuple(name, hostileString), { maxLength: 5 }).map((pairs) => {
    const q = new URLSearchParams();
    for (const [k, v] of pairs) q.append(k, v);
    const s = q.toString();
    return s ? `?${s}` : '';
  });
}

/** encodeURIComponent, with lone surrogates (which it refuses) replaced by U+FFFD. */
export const encodePart = (s: string) =>
  encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** A value for a path parameter: valid-looking ids (to reach deeper checks) and hostile text. */
export function paramArb(valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...(valid.length ? valid : ['1'])) },
    { weight: 3, arbitrary: hostileString.filter((s) => s !== '').map(encodePart) },
  );
}

/** A body for a JSON route: broken JSON, random JSON, the route's fields with hostile values, a valid body with one field broken. */
export function jsonBodyArb(fields: string[], valid?: Record<string, unknown>): fc.Arbitrary<{ body: string; contentType?: string }> {
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        'application/geo+json',
      ),
    },
  );
  const keys = fields.length ? fields : ['a'];
  const body = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_JSON) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...keys), hostileValue, { maxKeys: 5 }).map(toJsonText) },
    ...(valid
      ? [
          {
            weight: 3,
            arbitrary: fc.tuple(fc.constantFrom(...Object.keys(valid)), hostileValue).map(([k, v]) => toJsonText({ ...valid, [k]: v })),
          },
        ]
      : []),
  );
  return fc.record({ body, contentType });
}

/** A form body (Open311 POST): the route's fields with hostile values, with or without a valid key. */
export function formBodyArb(fields: string[], valid: Record<string, string>): fc.Arbitrary<{ body: string; contentType?: string }> {
  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded',
    'application/json',
    'text/plain',
    undefined,
  );
  const body = fc.oneof(
    fc.dictionary(fc.constantFrom(...fields), hostileString, { maxKeys: 6 }).map((d) => new URLSearchParams(d).toString()),
    fc.tuple(fc.constantFrom(...Object.keys(valid)), hostileString).map(([k, v]) => new URLSearchParams({ ...valid, [k]: v }).toString()),
    fc.constantFrom('%', '%zz=1', '&&&', 'a=%E0%A4%A', '='.repeat(1000)),
  );
  return fc.record({ body, contentType });
}
