import { overdueSql, STATUSES } from '../domain/statuses.ts';
import { FIELD_INFO } from '../exports/public-incident.ts';
import { CHANNELS, INCIDENT_TYPES } from '../incidents/filters.ts';
import type { CollectionId } from './collections.ts';

/**
 * What a filter (`filter=`, CQL2) and `sortby` may name, per collection: public fields only.
 * An appeal's description and address are left out on purpose: the public sees them redacted
 * (server/privacy/visibility.ts), and a LIKE on the stored text would let anyone probe for the
 * phone numbers the redaction hides. Names are those of the GeoJSON properties.
 */

/** The media type of a JSON Schema (queryables, sortables). */
export const SCHEMA_JSON = 'application/schema+json';

export type QueryableType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'geometry';

/**
 * A field read through a code table (a category, district, service): kept as the table's id on
 * the incident, so a filter on it becomes `i.<column> IN (SELECT <key> FROM <from> WHERE ...)`,
 * which the incident indexes serve, and a count of incidents needs no join.
 */
export interface CodeLookup {
  column: string;
  from: string;
  key: string;
  code: string;
}

export interface Queryable {
  type: QueryableType;
  title: string;
  /** SQL of the value over `incidents i` or `districts d`. */
  sql: string;
  lookup?: CodeLookup;
  values?: readonly string[];
  sortable?: boolean;
  /** GeoJSON type of a geometry, for the schema. */
  geometry?: 'Point' | 'MultiPolygon';
}

const lookup = (column: string, from: string, key: string, code: string): Pick<Queryable, 'sql' | 'lookup'> => ({
  sql: `(SELECT ${code} FROM ${from} WHERE ${key} = ${column})`,
  lookup: { column, from, key, code },
});

const title = (f: keyof typeof FIELD_INFO) => FIELD_INFO[f].title;

const INCIDENT_QUERYABLES: Record<string, Queryable> = {
  geometry: { type: 'geometry', title: 'Position of the appeal', sql: 'i.geom', geometry: 'Point' },
  number: { type: 'string', title: title('number'), sql: 'i.number', sortable: true },
  type: { type: 'string', title: title('type'), sql: 'i.type', values: INCIDENT_TYPES, sortable: true },
  category: { type: 'string', title: title('category'), ...lookup('i.category_id', 'categories x', 'x.id', 'x.code') },
  sphere: {
    type: 'string',
    title: title('sphere'),
    ...lookup('i.category_id', 'categories x JOIN categories y ON y.id = x.sphere_id', 'x.id', 'y.code'),
  },
  channel: { type: 'string', title: title('channel'), sql: 'i.channel', values: CHANNELS, sortable: true },
  status: { type: 'string', title: title('status'), sql: 'i.status', values: STATUSES, sortable: true },
  priority: { type: 'integer', title: title('priority'), sql: 'i.priority', sortable: true },
  district: { type: 'string', title: title('district'), ...lookup('i.district_id', 'districts x', 'x.id', 'x.code') },
  service: { type: 'string', title: title('service'), ...lookup('i.service_id', 'services x', 'x.id', 'x.code') },
  created_at: { type: 'timestamp', title: title('created_at'), sql: 'i.created_at', sortable: true },
  due_at: { type: 'timestamp', title: title('due_at'), sql: 'i.due_at', sortable: true },
  resolved_at: { type: 'timestamp', title: title('resolved_at'), sql: 'i.resolved_at', sortable: true },
  closed_at: { type: 'timestamp', title: title('closed_at'), sql: 'i.closed_at', sortable: true },
  overdue: { type: 'boolean', title: title('overdue'), sql: overdueSql() },
};

const DISTRICT_QUERYABLES: Record<string, Queryable> = {
  geometry: { type: 'geometry', title: 'Boundary of the district', sql: 'd.geom', geometry: 'MultiPolygon' },
  code: { type: 'string', title: 'District code', sql: 'd.code', sortable: true },
  name_kk: { type: 'string', title: 'Name in Kazakh', sql: 'd.name_kk', sortable: true },
  name_ru: { type: 'string', title: 'Name in Russian', sql: 'd.name_ru', sortable: true },
  name_en: { type: 'string', title: 'Name in English', sql: 'd.name_en', sortable: true },
  population: { type: 'integer', title: 'Population', sql: 'd.population', sortable: true },
};

export const QUERYABLES: Record<CollectionId, Record<string, Queryable>> = {
  incidents: INCIDENT_QUERYABLES,
  districts: DISTRICT_QUERYABLES,
};

/** The queryable called `name` in a collection, or undefined (own keys only: `constructor` is none). */
export const queryableOf = (id: CollectionId, name: string): Queryable | undefined =>
  Object.hasOwn(QUERYABLES[id], name) ? QUERYABLES[id][name] : undefined;

/** One property of the JSON Schema of queryables (OGC API – Features Part 3, 7.2). */
interface PropertySchema {
  title: string;
  type?: string;
  format?: string;
  [key: string]: unknown;
}

function propertySchema(q: Queryable): PropertySchema {
  if (q.type === 'geometry') {
    const format = q.geometry === 'Point' ? 'geometry-point' : 'geometry-multipolygon';
    return { title: q.title, format, $ref: `https://geojson.org/schema/${q.geometry}.json`, 'x-ogc-role': 'primary-geometry' };
  }
  if (q.type === 'timestamp') return { title: q.title, type: 'string', format: 'date-time' };
  return { title: q.title, type: q.type, ...(q.values ? { enum: [...q.values] } : {}) };
}

/** The queryables (or, with `sortableOnly`, the sortables) of a collection as a JSON Schema document. */
export function queryablesDocument(base: string, id: CollectionId, sortableOnly = false) {
  const entries = Object.entries(QUERYABLES[id]).filter(([, q]) => !sortableOnly || q.sortable);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${base}/collections/${id}/${sortableOnly ? 'sortables' : 'queryables'}`,
    type: 'object',
    title: sortableOnly ? `What sortby takes on ${id}` : `What filter may name on ${id}`,
    properties: Object.fromEntries(entries.map(([name, q]) => [name, propertySchema(q)])),
    additionalProperties: false,
  };
}
