import { describe, expect, it } from 'vitest';
import { Where } from '../../server/incidents/filters.ts';
import { parseCql2 } from '../../server/ogc/cql2.ts';
import { addCql2 } from '../../server/ogc/cql2-sql.ts';
import { orderBySql, parseSortby } from '../../server/ogc/sortby.ts';

/** CQL2 text to SQL without a database: what reaches the SQL text, and what only the parameters. */
const sql = (filter: string) => {
  const w = new Where();
  addCql2(w, 'incidents', parseCql2(filter));
  return { text: w.conditions.join(' AND '), values: w.values };
};

describe('CQL2 text', () => {
  it('reads keywords in any case, quoted names, doubled quotes, and precedence (AND before OR)', () => {
    expect(parseCql2(`"status" = 'it''s' or Priority < 2 aNd NOT overdue = true`)).toEqual({
      kind: 'or',
      args: [
        { kind: 'compare', op: '=', left: { kind: 'property', name: 'status' }, right: { kind: 'literal', value: "it's" } },
        {
          kind: 'and',
          args: [
            { kind: 'compare', op: '<', left: { kind: 'property', name: 'Priority' }, right: { kind: 'literal', value: 2 } },
            {
              kind: 'not',
              arg: { kind: 'compare', op: '=', left: { kind: 'property', name: 'overdue' }, right: { kind: 'literal', value: true } },
            },
          ],
        },
      ],
    });
  });

  it('puts every value in a parameter, never in the SQL text', () => {
    const { text, values } = sql(
      "number LIKE '109-%' AND priority BETWEEN 1 AND 2 AND type IN ('problem', 'x''; DROP TABLE incidents; --') " +
        "AND created_at < TIMESTAMP('2026-05-01T10:00:00Z') AND S_INTERSECTS(geometry, POINT(71.4 42.9))",
    );
    expect(text).not.toMatch(/109-|DROP|2026|71\.4|problem/);
    expect(values).toEqual(expect.arrayContaining(['109-%', 1, 2, 'problem', "x'; DROP TABLE incidents; --", '2026-05-01T10:00:00Z']));
    expect(values).toContainEqual(JSON.stringify({ type: 'Point', coordinates: [71.4, 42.9] }));
  });

  it('reads a category through its ids, so the incident index serves, and adds is_open to an open status', () => {
    expect(sql("category = 'roads.pothole'").text).toMatch(
      /^i\.category_id IN \(SELECT x\.id FROM categories x WHERE x\.code = ANY\(\$1::text\[\]\)\)$/,
    );
    expect(sql("status IN ('new', 'assigned')").text).toContain('AND i.is_open');
    expect(sql("status = 'closed'").text).not.toContain('is_open');
  });

  it('splits a BBOX across the antimeridian into two envelopes', () => {
    const { text, values } = sql('S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))');
    expect(text.match(/ST_MakeEnvelope/g)).toHaveLength(2);
    expect(values).toEqual([170, -10, 180, 10, -180, -10, -170, 10]);
  });

  it.each([
    ["status = 'a' AND", /Invalid query parameter filter: .*at character/],
    ["reporter_phone = '+7'", /unknown property "reporter_phone"/],
    ['constructor = 1', /unknown property "constructor"/],
    ['geometry = 1', /is a geometry/],
    ['S_INTERSECTS(status, BBOX(0,0,1,1))', /not a geometry/],
    ['overdue > TRUE', /booleans compare with = and <>/],
    ["number BETWEEN 'a' AND 'b'", /BETWEEN takes numbers or instants/],
    ["DATE('2026-02-30') = created_at", /DATE/],
    ['S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))', /does not end where it starts/],
    ['S_INTERSECTS(geometry, BBOX(0, 10, 1, 5))', /minimum latitude/],
  ])('refuses %s', (filter, message) => {
    expect(() => sql(filter)).toThrow(message);
  });
});

describe('sortby', () => {
  it('reads + (or a space, as + arrives in a URL) and -, and ends with the id', () => {
    const keys = parseSortby('-priority, +created_at,number', 'incidents');
    expect(keys).toEqual([
      { name: 'priority', desc: true },
      { name: 'created_at', desc: false },
      { name: 'number', desc: false },
    ]);
    expect(orderBySql(keys, 'incidents')).toBe('i.priority DESC, i.created_at ASC, i.number ASC, i.id DESC');
    expect(orderBySql(parseSortby('-created_at', 'incidents'), 'incidents')).toBe('i.created_at DESC, i.id DESC');
  });

  it.each(['', 'category', 'priority desc', 'x,y,z,a,b,c'])('refuses "%s"', (s) => {
    expect(() => parseSortby(s, 'incidents')).toThrow(/sortby/);
  });
});
