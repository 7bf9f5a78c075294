import { overdueSql } from '../domain/statuses.ts';
/**
 * The public projection of an appeal: the one list of what may leave the system without
 * personal data, shared by the CSV and GeoJSON exports, OGC API – Features and the vector
 * tiles. Reporters' names and phones live in `incident_reporters`, which these queries never
 * join.
 */

/** A public appeal as read from the database (timestamps as JS Dates, position `[lng, lat]`). */
export interface PublicIncidentRow {
  id: number;
  number: string;
  type: string;
  category: string;
  sphere: string | null;
  channel: string;
  status: string;
  priority: number;
  district: string | null;
  service: string | null;
  created_at: Date;
  due_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  overdue: boolean;
  lng: number;
  lat: number;
  address: string | null;
  description: string;
}

export type PublicField = Exclude<keyof PublicIncidentRow, 'id'>;

/** Columns of the CSV export, in order (lng, lat in WGS 84 degrees). */
export const CSV_FIELDS: readonly PublicField[] = [
  'number',
  'type',
  'category',
  'sphere',
  'channel',
  'status',
  'priority',
  'district',
  'service',
  'created_at',
  'due_at',
  'resolved_at',
  'closed_at',
  'overdue',
  'lng',
  'lat',
  'address',
  'description',
];

/** Properties of a GeoJSON feature (the position is its geometry, not a property). */
export const PROPERTY_FIELDS: readonly PublicField[] = CSV_FIELDS.filter((f) => f !== 'lng' && f !== 'lat');

/** How each public field reads, for schemas and HTML tables. */
export const FIELD_INFO: Record<PublicField, { type: 'string' | 'integer' | 'number' | 'boolean' | 'date-time'; title: string }> = {
  number: { type: 'string', title: 'Public number, e.g. 109-2026-000123' },
  type: { type: 'string', title: 'Type of appeal' },
  category: { type: 'string', title: 'Category code' },
  sphere: { type: 'string', title: 'Sphere (top-level category) code' },
  channel: { type: 'string', title: 'Channel it came through' },
  status: { type: 'string', title: 'Status' },
  priority: { type: 'integer', title: 'Priority, 1 (critical) to 4 (low)' },
  district: { type: 'string', title: 'District code' },
  service: { type: 'string', title: 'Responsible service code' },
  created_at: { type: 'date-time', title: 'Registered at (UTC)' },
  due_at: { type: 'date-time', title: 'Deadline (UTC)' },
  resolved_at: { type: 'date-time', title: 'Resolved at (UTC)' },
  closed_at: { type: 'date-time', title: 'Closed at (UTC)' },
  overdue: { type: 'boolean', title: 'Open and past its deadline now' },
  lng: { type: 'number', title: 'Longitude, WGS 84 degrees' },
  lat: { type: 'number', title: 'Latitude, WGS 84 degrees' },
  address: { type: 'string', title: 'Address as registered' },
  description: { type: 'string', title: 'Description of the problem' },
};

/** SELECT list over `incidents i` joined with PUBLIC_INCIDENT_JOINS. */
export const PUBLIC_INCIDENT_COLUMNS = `
  i.id, i.number, i.type, c.code AS category, s.code AS sphere, i.channel, i.status, i.priority,
  d.code AS district, sv.code AS service, i.created_at, i.due_at, i.resolved_at, i.closed_at,
  ${overdueSql()} AS overdue,
  ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat, i.address, i.description`;

export const PUBLIC_INCIDENT_JOINS = `
  JOIN categories c ON c.id = i.category_id
  LEFT JOIN categories s ON s.id = c.sphere_id
  LEFT JOIN districts d ON d.id = i.district_id
  LEFT JOIN services sv ON sv.id = i.service_id`;

/** GeoJSON properties of a public row, in the order of PROPERTY_FIELDS. */
export function publicProperties(row: PublicIncidentRow): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const f of PROPERTY_FIELDS) props[f] = row[f];
  return props;
}

/** A public row as a GeoJSON Feature whose id is the incident id. */
export function publicFeature(row: PublicIncidentRow) {
  return {
    type: 'Feature' as const,
    id: row.id,
    geometry: { type: 'Point' as const, coordinates: [row.lng, row.lat] },
    properties: publicProperties(row),
  };
}
