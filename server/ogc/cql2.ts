import { readFileSync } from 'node:fs';
import peggy from 'peggy';
import { AppError } from '../errors.ts';

/**
 * CQL2 text (OGC API – Features Part 3) parsed by a parser that peggy generates from
 * `cql2.peggy` beside this file, once, on the first filter (about 0.1 s; the server starts
 * without it). The tree below is what the grammar's actions build.
 */

/** A position `[lng, lat]` in CRS84 degrees. */
export type Position = [number, number];

export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** A value: a property, a literal (string, number, boolean), a TIMESTAMP or DATE, a geometry or BBOX. */
export type Operand =
  | { kind: 'property'; name: string }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'timestamp' | 'date'; value: string }
  | { kind: 'geometry'; geometry: Geometry }
  | { kind: 'bbox'; values: number[] };

export type ScalarOperand = Exclude<Operand, { kind: 'geometry' | 'bbox' }>;

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type SpatialOp = 's_intersects' | 's_disjoint' | 's_contains' | 's_within';

/** A filter expression: a predicate, or predicates joined by AND, OR, NOT. */
export type Cql2Node =
  | { kind: 'and' | 'or'; args: Cql2Node[] }
  | { kind: 'not'; arg: Cql2Node }
  | { kind: 'literal'; value: boolean }
  | { kind: 'compare'; op: CompareOp; left: ScalarOperand; right: ScalarOperand }
  | { kind: 'like'; not: boolean; left: ScalarOperand; pattern: ScalarOperand }
  | { kind: 'between'; not: boolean; left: ScalarOperand; low: ScalarOperand; high: ScalarOperand }
  | { kind: 'in'; not: boolean; left: ScalarOperand; list: ScalarOperand[] }
  | { kind: 'isNull'; not: boolean; left: ScalarOperand }
  | { kind: 'spatial'; op: SpatialOp; args: [Operand, Operand] };

/** The longest filter taken, in characters (a long polygon still fits; a URL rarely holds more). */
export const MAX_FILTER_LENGTH = 20_000;

let parser: peggy.Parser | undefined;

function cql2Parser(): peggy.Parser {
  parser ??= peggy.generate(readFileSync(new URL('./cql2.peggy', import.meta.url), 'utf8'));
  return parser;
}

/** The 400 for a filter that cannot be read or used; `message` says where and why. */
export const filterError = (message: string) =>
  new AppError(400, 'invalid_parameter', `Invalid query parameter filter: ${message}`, [{ path: 'filter', message }]);

/** Parses CQL2 text; a syntax error is a 400 naming the column where reading stopped. */
export function parseCql2(text: string): Cql2Node {
  if (text.length > MAX_FILTER_LENGTH) throw filterError(`longer than ${MAX_FILTER_LENGTH} characters`);
  const cql2 = cql2Parser();
  try {
    return cql2.parse(text) as Cql2Node;
  } catch (err) {
    if (err instanceof cql2.SyntaxError) {
      const col = err.location?.start.column;
      throw filterError(`${err.message}${col ? ` (at character ${col})` : ''}`);
    }
    // A filter nested thousands deep exhausts the stack: refused like any unreadable filter.
    if (err instanceof RangeError) throw filterError('nested too deeply');
    throw err;
  }
}
