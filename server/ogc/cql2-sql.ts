import { isOpen } from '../domain/statuses.ts';
import type { Where } from '../incidents/filters.ts';
import { type CompareOp, type Cql2Node, filterError, type Geometry, type Operand, type Position, type ScalarOperand } from './cql2.ts';
import type { CollectionId } from './collections.ts';
import { parseInstant } from './params.ts';
import { type Queryable, QUERYABLES, queryableOf } from './queryables.ts';

/**
 * A CQL2 tree as a SQL condition over `incidents i` or `districts d`. Every value goes in as a
 * `$n` parameter of `w`; property names only select SQL from the collection's queryables, so
 * nothing a client writes is pasted into the SQL. Types are checked here: a comparison of a
 * number with a string, or an unknown property, is a 400 before the database sees it.
 */

/** Values compare within a class: an integer with a number, a TIMESTAMP with a DATE. */
type ValueClass = 'string' | 'number' | 'boolean' | 'time';

interface Scalar {
  sql: string;
  cls: ValueClass;
  queryable?: Queryable;
  /** The literal, when the operand is one (for the status hint). */
  literal?: string | number | boolean;
}

const MAX_IN = 1000;
const MAX_POSITIONS = 10_000;

const CLASS: Record<Exclude<Queryable['type'], 'geometry'>, ValueClass> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  timestamp: 'time',
};

const FLIP: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

class Translator {
  constructor(
    readonly id: CollectionId,
    readonly w: Where,
  ) {}

  property(name: string): Queryable {
    const q = queryableOf(this.id, name);
    if (!q) {
      const names = Object.keys(QUERYABLES[this.id]).join(', ');
      throw filterError(`unknown property "${name}"; ${this.id} can be filtered by ${names} (see its queryables)`);
    }
    return q;
  }

  scalar(o: ScalarOperand): Scalar {
    switch (o.kind) {
      case 'property': {
        const q = this.property(o.name);
        if (q.type === 'geometry') throw filterError(`"${o.name}" is a geometry: use it in S_INTERSECTS and the like`);
        return { sql: q.sql, cls: CLASS[q.type], queryable: q };
      }
      case 'literal': {
        const v = o.value;
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) throw filterError(`number out of range`);
          return { sql: `${this.w.param(v)}::float8`, cls: 'number', literal: v };
        }
        if (typeof v === 'boolean') return { sql: `${this.w.param(v)}::boolean`, cls: 'boolean', literal: v };
        return { sql: `${this.w.param(v)}::text`, cls: 'string', literal: v };
      }
      case 'timestamp': {
        const at = parseInstant(o.value);
        if (!at || at.dateOnly) throw filterError(`TIMESTAMP('${o.value}') is not an RFC 3339 date-time such as 2026-01-31T09:00:00Z`);
        return { sql: `${this.w.param(at.value)}::timestamptz`, cls: 'time' };
      }
      case 'date': {
        const at = parseInstant(o.value);
        if (!at?.dateOnly) throw filterError(`DATE('${o.value}') is not a date such as 2026-01-31`);
        return { sql: `${this.w.param(at.value)}::date`, cls: 'time' };
      }
    }
  }

  /** Operands of one comparison must be of one class. */
  same(what: string, ...xs: Scalar[]): void {
    const cls = xs[0].cls;
    if (xs.some((x) => x.cls !== cls)) throw filterError(`${what} mixes ${[...new Set(xs.map((x) => x.cls))].join(' and ')} values`);
  }

  /**
   * `code_field = 'x'` or `IN ('x', 'y')` on a field kept as an id (category, district, ...):
   * as `i.<id column> IN (ids of those codes)`, which the incident indexes serve. Read before
   * the operands become SQL, so that no parameter is left unused.
   */
  lookupIn(left: ScalarOperand, right: ScalarOperand[], not: boolean): string | undefined {
    const look = left.kind === 'property' ? queryableOf(this.id, left.name)?.lookup : undefined;
    const codes = right.map((r) => (r.kind === 'literal' && typeof r.value === 'string' ? r.value : undefined));
    if (!look || codes.some((c) => c === undefined)) return undefined;
    const ids = `(SELECT ${look.key} FROM ${look.from} WHERE ${look.code} = ANY(${this.w.param(codes)}::text[]))`;
    // NOT IN on a missing id (an appeal with no district) would be true; SQL's NULL is kept instead.
    return not ? `(CASE WHEN ${look.column} IS NOT NULL THEN ${look.column} NOT IN ${ids} END)` : `${look.column} IN ${ids}`;
  }

  /** `status = 'new'`: say `is_open` too, so that the partial indexes on open appeals serve. */
  openHint(left: Scalar, right: Scalar[], not: boolean): string {
    const statuses = right.map((r) => r.literal);
    const hint = left.queryable?.sql === 'i.status' && !not && statuses.every((s) => typeof s === 'string' && isOpen(s));
    return hint ? ' AND i.is_open' : '';
  }

  compare(op: CompareOp, l: ScalarOperand, r: ScalarOperand): string {
    // A literal on the left, a property on the right: turned round, so the shortcuts below see it.
    if (l.kind !== 'property' && r.kind === 'property') return this.compare(FLIP[op], r, l);
    if (op === '=' || op === '<>') {
      const viaIds = this.lookupIn(l, [r], op === '<>');
      if (viaIds) return viaIds;
    }
    const [left, right] = [this.scalar(l), this.scalar(r)];
    this.same(`"${op}"`, left, right);
    if (left.cls === 'boolean' && op !== '=' && op !== '<>') throw filterError(`booleans compare with = and <> only`);
    const hint = op === '=' ? this.openHint(left, [right], false) : '';
    return `(${left.sql} ${op} ${right.sql}${hint})`;
  }

  in(node: Extract<Cql2Node, { kind: 'in' }>): string {
    if (node.list.length > MAX_IN) throw filterError(`IN takes at most ${MAX_IN} values`);
    const viaIds = this.lookupIn(node.left, node.list, node.not);
    if (viaIds) return viaIds;
    const left = this.scalar(node.left);
    const list = node.list.map((o) => this.scalar(o));
    this.same('IN', left, ...list);
    return `(${left.sql} ${node.not ? 'NOT IN' : 'IN'} (${list.map((x) => x.sql).join(', ')})${this.openHint(left, list, node.not)})`;
  }

  /** A geometry operand: a geometry property, a WKT literal or a BBOX. */
  geometry(o: Operand): string {
    if (o.kind === 'property') {
      const q = this.property(o.name);
      if (q.type !== 'geometry') throw filterError(`"${o.name}" is not a geometry; spatial functions take geometry`);
      return q.sql;
    }
    if (o.kind === 'bbox') return this.bbox(o.values);
    if (o.kind === 'geometry') return this.literalGeometry(o.geometry);
    throw filterError('spatial functions take a geometry property, a WKT geometry or BBOX(...)');
  }

  /** BBOX(minLng, minLat, maxLng, maxLat) or with heights; minLng > maxLng crosses the antimeridian. */
  bbox(values: number[]): string {
    if (values.length !== 4 && values.length !== 6) throw filterError('BBOX takes 4 numbers (or 6 with heights)');
    const [x0, y0, x1, y1] = values.length === 4 ? values : [values[0], values[1], values[3], values[4]];
    checkPosition([x0, y0]);
    checkPosition([x1, y1]);
    if (y0 > y1) throw filterError('BBOX: the minimum latitude is above the maximum');
    const env = (a: number, b: number, c: number, d: number) =>
      `ST_MakeEnvelope(${this.w.param(a)}::float8, ${this.w.param(b)}::float8, ${this.w.param(c)}::float8, ${this.w.param(d)}::float8, 4326)`;
    return x0 <= x1 ? env(x0, y0, x1, y1) : `ST_Collect(${env(x0, y0, 180, y1)}, ${env(-180, y0, x1, y1)})`;
  }

  literalGeometry(g: Geometry): string {
    checkGeometry(g);
    const geom = `ST_SetSRID(ST_GeomFromGeoJSON(${this.w.param(JSON.stringify(g))}::text), 4326)`;
    // A self-crossing polygon would make GEOS fail mid-query; made valid, it means what it encloses.
    return g.type === 'Polygon' || g.type === 'MultiPolygon' ? `ST_MakeValid(${geom})` : geom;
  }

  node(n: Cql2Node): string {
    switch (n.kind) {
      case 'and':
      case 'or':
        return `(${n.args.map((a) => this.node(a)).join(n.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${this.node(n.arg)})`;
      case 'literal':
        return n.value ? 'TRUE' : 'FALSE';
      case 'compare':
        return this.compare(n.op, n.left, n.right);
      case 'like': {
        const [left, pattern] = [this.scalar(n.left), this.scalar(n.pattern)];
        if (left.cls !== 'string' || pattern.cls !== 'string') throw filterError('LIKE compares strings');
        return `(${left.sql} ${n.not ? 'NOT LIKE' : 'LIKE'} ${pattern.sql})`;
      }
      case 'between': {
        const [left, low, high] = [this.scalar(n.left), this.scalar(n.low), this.scalar(n.high)];
        this.same('BETWEEN', left, low, high);
        if (left.cls !== 'number' && left.cls !== 'time') throw filterError('BETWEEN takes numbers or instants');
        return `(${left.sql} ${n.not ? 'NOT BETWEEN' : 'BETWEEN'} ${low.sql} AND ${high.sql})`;
      }
      case 'in':
        return this.in(n);
      case 'isNull':
        return `(${this.scalar(n.left).sql} IS ${n.not ? 'NOT NULL' : 'NULL'})`;
      case 'spatial': {
        const [a, b] = n.args.map((o) => this.geometry(o));
        if (n.op === 's_disjoint') return `(NOT ST_Intersects(${a}, ${b}))`;
        return `${n.op === 's_intersects' ? 'ST_Intersects' : n.op === 's_contains' ? 'ST_Contains' : 'ST_Within'}(${a}, ${b})`;
      }
    }
  }
}

function checkPosition([x, y]: Position): void {
  if (!Number.isFinite(x) || !Number.isFinite(y) || x < -180 || x > 180 || y < -90 || y > 90) {
    throw filterError(`position ${x} ${y} lies outside -180..180, -90..90 (longitude latitude, CRS84)`);
  }
}

/** Coordinates in range, lines of two positions or more, rings closed with four or more. */
function checkGeometry(g: Geometry): void {
  const line = (l: Position[], min: number) => {
    if (l.length < min) throw filterError(`${g.type} has a part with fewer than ${min} positions`);
    l.forEach(checkPosition);
  };
  const ring = (r: Position[]) => {
    line(r, 4);
    const [a, b] = [r[0], r.at(-1)!];
    if (a[0] !== b[0] || a[1] !== b[1]) throw filterError(`${g.type} has a ring that does not end where it starts`);
  };
  const count = JSON.stringify(g.coordinates).split('[').length;
  if (count > MAX_POSITIONS) throw filterError(`geometry literals take at most ${MAX_POSITIONS} positions`);
  if (g.type === 'Point') checkPosition(g.coordinates);
  else if (g.type === 'MultiPoint') line(g.coordinates, 1);
  else if (g.type === 'LineString') line(g.coordinates, 2);
  else if (g.type === 'MultiLineString') g.coordinates.forEach((l) => line(l, 2));
  else if (g.type === 'Polygon') g.coordinates.forEach(ring);
  else g.coordinates.forEach((p) => p.forEach(ring));
}

/** Adds the filter to `w` as one condition over the collection's table. */
export function addCql2(w: Where, id: CollectionId, node: Cql2Node): void {
  w.add(new Translator(id, w).node(node));
}
