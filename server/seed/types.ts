import type { MultiPolygon } from 'geojson';
import type { WorkCalendar } from '../deadlines/due.ts';
import type { Zone } from '../deadlines/zone.ts';

/** What the demo-history generator needs to know about the city (see loadSeedCity). */
export interface SeedCity {
  /** Ordered by id: a point on a shared boundary belongs to the lowest id, as in the database. */
  districts: SeedDistrict[];
  categories: SeedCategory[];
  calendar: WorkCalendar;
  /** The city's zone: an IANA name (offsets per instant, daylight saving included) or an old pack's fixed offset in minutes. */
  zone: Zone;
}

export interface SeedDistrict {
  id: number;
  code: string;
  /** Residents; null or 0 counts as the average of the others. */
  population: number | null;
  /** EPSG:4326, [lng, lat]. */
  polygon: MultiPolygon;
}

export interface SeedCategory {
  id: number;
  /** Dotted path code, e.g. "heating.no_heating.building". */
  code: string;
  parentCode: string | null;
  /** Code of the depth-0 ancestor (the category itself for a sphere). */
  sphereCode: string;
  depth: number;
  normHours: number | null;
  normWorkingDays: number | null;
  priority: number;
  emergency: boolean;
  /** Optional names: used in descriptions of categories without a written template. */
  nameRu?: string;
  nameKk?: string;
}

export type IncidentType = 'complaint' | 'incident' | 'problem' | 'service_request' | 'information_request';
export type Channel = 'phone' | 'telegram' | 'whatsapp' | 'facebook' | 'web' | 'app' | 'walk_in';
export type Status = 'new' | 'assigned' | 'in_progress' | 'resolved' | 'closed' | 'reopened' | 'rejected';
export type Resolution = 'fixed' | 'consulted' | 'not_confirmed' | 'duplicate' | 'out_of_competence' | 'spam';
export type EventAction = 'created' | 'transition' | 'assigned' | 'escalated' | 'commented' | 'feedback' | 'reporter_added';

/** One row of incident_events. */
export interface SeedEvent {
  action: EventAction;
  from_status: Status | null;
  to_status: Status | null;
  at: Date;
  note: string | null;
}

/** One appeal as generated: the incidents columns, its first reporter and its audit trail. */
export interface SeedIncident {
  type: IncidentType;
  category_id: number;
  channel: Channel;
  status: Status;
  resolution: Resolution | null;
  priority: number;
  description: string;
  address: string;
  /** EPSG:4326, 6 decimals. */
  lng: number;
  lat: number;
  /** The district whose polygon holds the point (lowest id on a boundary), as the trigger will find it. */
  district_id: number;
  created_at: Date;
  assigned_at: Date | null;
  started_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  due_at: Date;
  rating: number | null;
  escalation_level: number;
  reassign_count: number;
  reporter_count: number;
  updated_at: Date;
  reporter: { name: string; phone: string | null; contact: string | null };
  /** In time order, all at or before `now`. */
  events: SeedEvent[];
}
