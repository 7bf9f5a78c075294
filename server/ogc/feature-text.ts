/**
 * Public appeals as GeoJSON text written by PostgreSQL, for the JSON pages of /ogc (issue 23).
 *
 * Reading 19 typed columns a row into JS objects (four timestamps parsed into Dates), building
 * features and serialising them again cost several times the query itself (docs/performance.md,
 * "Peers side by side"). Here PostgreSQL writes each feature's JSON text, up to its last two
 * properties: `address` and `description` are free text that must pass redact() on the way out
 * (server/privacy), so they come as plain columns and are appended, redacted, in Node. The
 * text is the same document publicFeature() gives: the same keys in the same order, timestamps
 * as JSON.stringify writes a Date (UTC, milliseconds), coordinates as float8 prints them
 * (shortest exact form, as JS prints a number).
 */
import { createHash } from 'node:crypto';
import { statementName } from '../db/statements.ts';
import type pg from 'pg';
import { overdueSql } from '../domain/statuses.ts';
import { PROPERTY_FIELDS, type PublicField } from '../exports/public-incident.ts';
import { redact } from '../privacy/redact.ts';

type Kind = 'text' | 'int' | 'bool' | 'time';

/** Each property before address and description: its SQL over `incidents i` and the joins, and its JSON kind. */
const HEAD_FIELDS: Record<Exclude<PublicField, 'address' | 'description' | 'lng' | 'lat'>, [string, Kind]> = {
  number: ['i.number', 'text'],
  type: ['i.type', 'text'],
  category: ['c.code', 'text'],
  sphere: ['s.code', 'text'],
  channel: ['i.channel', 'text'],
  status: ['i.status', 'text'],
  priority: ['i.priority', 'int'],
  district: ['d.code', 'text'],
  service: ['sv.code', 'text'],
  created_at: ['i.created_at', 'time'],
  due_at: ['i.due_at', 'time'],
  resolved_at: ['i.resolved_at', 'time'],
  closed_at: ['i.closed_at', 'time'],
  overdue: [overdueSql(), 'bool'],
};

const jsonValue = (sql: string, kind: Kind): string => {
  switch (kind) {
    case 'text':
      return `coalesce(to_json((${sql})::text)::text, 'null')`;
    case 'int':
      return `coalesce((${sql})::text, 'null')`;
    case 'bool':
      return `CASE WHEN ${sql} THEN 'true' WHEN NOT ${sql} THEN 'false' ELSE 'null' END`;
    case 'time':
      // As JSON.stringify writes a Date: UTC, milliseconds (truncated, as pg's Date parsing does).
      return `coalesce('"' || to_char((${sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"', 'null')`;
  }
};

const headFields = PROPERTY_FIELDS.filter((f) => f !== 'address' && f !== 'description') as (keyof typeof HEAD_FIELDS)[];
// The free-text fields must be the last two properties: they are appended after the head.
if (PROPERTY_FIELDS.slice(-2).join() !== 'address,description' || headFields.length !== PROPERTY_FIELDS.length - 2) {
  throw new Error('feature-text.ts expects address and description as the last public properties');
}

/** SELECT list over `incidents i` + PUBLIC_INCIDENT_JOINS: id, `head` (feature text up to the free text), address, description. */
export const FEATURE_TEXT_COLUMNS = `i.id,
  '{"type":"Feature","id":' || i.id || ',"geometry":{"type":"Point","coordinates":[' || ST_X(i.geom) || ',' || ST_Y(i.geom) || ']},"properties":{'
  || ${headFields.map((f, k) => `'${k ? ',' : ''}"${f}":' || ${jsonValue(...HEAD_FIELDS[f])}`).join('\n  || ')} AS head,
  i.address, i.description`;

export interface FeatureTextRow {
  id: number;
  head: string;
  address: string | null;
  description: string;
}

/** The whole feature's JSON text, its free text redacted. */
export function featureText(r: FeatureTextRow): string {
  return `${r.head},"address":${JSON.stringify(redact(r.address))},"description":${JSON.stringify(redact(r.description))}}}`;
}

/**
 * A named (prepared) statement when its text is one of a bounded set — the same filters give
 * the same text — so PostgreSQL plans it once per connection; free CQL2 text is not prepared
 * (every polygon would add a statement to every connection).
 */
export function maybePrepared(db: object, text: string, values: unknown[], prepare: boolean): pg.QueryConfig {
  if (!prepare) return { text, values };
  // A digest of the text: pg reuses a name it prepared before without sending the text again.
  // Unnamed where connections share a session (the embedded engine: server/db/statements.ts).
  const name = statementName(db, `ogc_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`);
  return name ? { name, text, values } : { text, values };
}
