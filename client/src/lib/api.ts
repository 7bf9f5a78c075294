/**
 * Typed access to the Jardem HTTP API. Shapes follow server/**\/routes.ts; every request can be
 * aborted, and an API error ({"error": {...}}) becomes an ApiError with its code and status.
 */
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';

export type Lang = 'kk' | 'ru' | 'en';
export type Names = Record<Lang, string>;

export interface City {
  code: string;
  name: Names;
  /** IANA zone; `timezone` in packs of before issue 21. */
  timeZone?: string;
  timezone?: string;
  utcOffset?: string;
  /** The centre's phone number ("109", "311") and name ("NYC 311"; default "Jardem <phone>"). */
  phone?: string;
  numberPrefix?: string;
  centreName?: Partial<Names>;
  /** The interface's default language (the user's choice wins). */
  language?: Lang;
  /** [lng, lat] */
  center: [number, number];
  /** [[west, south], [east, north]] in degrees */
  bounds: [[number, number], [number, number]] | null;
  defaultZoom?: number;
  /** Optional MapLibre style URL of an online base map (JARDEM_BASEMAP_URL). */
  basemapUrl?: string | null;
}

export interface Category {
  code: string;
  parent: string | null;
  sphere: string;
  /** 0 sphere, 1 category, 2 kind */
  depth: number;
  name: Names;
  icon: string | null;
  color: string | null;
  priority: number;
  emergency: boolean;
  service: string | null;
  /** "information": a question answered on the call with `answer` (issue 19). */
  type?: 'information' | 'complaint' | null;
  answer?: Names | null;
  /** Callers' words for it (kk, ru), searched by the picker. */
  synonyms?: string[];
  /** Appeals in the last 90 days. */
  usage?: number;
}

export interface Service {
  code: string;
  name: Names;
  kind: string;
  phone: string | null;
  email: string | null;
}

export interface DistrictMeta {
  id: number;
  code: string;
  name: Names;
  population: number | null;
  approximate: boolean;
  /** label point, degrees */
  lng: number;
  lat: number;
  /** [west, south, east, north] */
  bbox: [number, number, number, number];
}

export interface Meta {
  city: City;
  enums: { types: string[]; channels: string[]; statuses: string[] };
  categories: Category[];
  services: Service[];
  districts: DistrictMeta[];
}

export interface DistrictProps {
  id: number;
  code: string;
  name: Names;
  population: number | null;
  approximate: boolean;
  /** appeals matching the filters */
  count: number;
  open: number;
  overdue: number;
  per10k: number | null;
}
export type DistrictCollection = FeatureCollection<Polygon | MultiPolygon, DistrictProps>;

// KPIs and the summary: one definition with the server (server/contract), read here as types.
export type { Kpis, Summary } from '../../../server/contract/kpis.ts';

export interface IncidentProps {
  id: number;
  number: string;
  type: string;
  category: string;
  sphere: string | null;
  channel: string;
  status: string;
  priority: number;
  description: string;
  address: string | null;
  district: string | null;
  service: string | null;
  created_at: string;
  due_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  overdue: boolean;
  reporter_count: number;
  rating: number | null;
  version: number;
  /** when it is expected to be resolved (open appeals with a history; issue 24) */
  eta?: Eta | null;
}
export type IncidentFeature = Feature<Point, IncidentProps>;
export type IncidentPage = FeatureCollection<Point, IncidentProps> & {
  numberMatched: number;
  numberReturned: number;
  next: string | null;
};
export interface IncidentEvent {
  id: number;
  at: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  /** Who may read the note: staff only, or the citizen too (absent on public reads, where only public notes come). */
  visibility?: 'internal' | 'public';
  actor_login?: string | null;
  actor_role: string | null;
  /** what the event carries besides the note, e.g. `place_check: true` (a typed address nobody placed) */
  data?: Record<string, unknown> | null;
}
/** A move the signed-in user may make on an appeal (GET /api/incidents/:id `allowed`). */
export interface Move {
  action: string;
  /** the status it leads to; null for an escalation */
  to: string | null;
  requires: readonly string[];
}
/** An SMS to a caller and how far it got (staff with personal-data rights only). */
export interface SmsItem {
  id: number;
  kind: 'registered' | 'resolved' | 'status';
  phone: string;
  state: 'pending' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'cancelled';
  segments: number | null;
  error: string | null;
  created_at: string;
  next_attempt_at: string;
  sent_at: string | null;
  done_at: string | null;
}
/** A caller's contacts: personal data, in the answer only for roles that may read it. */
export interface Reporter {
  id: number;
  /** the appeal whose call it was (a duplicate merged into this one, or this one) */
  incident_id: number;
  name: string | null;
  phone: string | null;
  contact: string | null;
  created_at: string;
}
export type IncidentDetail = IncidentFeature & {
  events: IncidentEvent[];
  allowed?: Move[];
  reporters?: Reporter[];
  sms?: SmsItem[];
  dispute?: Dispute;
};

/** GET /api/stats/by-category?level=sphere|category&<filters> */
export interface ByCategory {
  level: 'sphere' | 'category';
  total?: number;
  items: { code: string; sphere: string; name: Names; color: string | null; count: number; open: number; overdue: number }[];
}
/** GET /api/stats/timeseries?interval=day&from&to&<filters>; dates are city calendar days */
export interface TimeSeries {
  interval: 'day' | 'week' | 'month';
  from: string;
  to: string;
  items: { date: string; created: number; resolved: number; open?: number }[];
}
/** GET /api/stats/by-service?<filters> */
export interface ByService {
  items: { code: string; name: Names; count: number; open: number; overdue: number; resolved: number; resolved_on_time: number }[];
}

export interface User {
  id: number;
  login: string;
  role: string;
  name?: string;
  /** a supervisor's districts (ids of /api/meta's districts) */
  districtIds?: number[];
}

/** GET /api/incidents/:id/measures: an emergency appeal's first measures (h-emerg). */
export interface EmergencyMeasures {
  id: number;
  number: string;
  emergency: boolean;
  acknowledged: { at: string; by: string | null } | null;
  measures: { code: string; name: Names; handover: string | null; done: boolean; done_at: string | null; done_by: string | null }[];
  handovers: {
    id: number;
    service: string;
    service_name: Names;
    operator: string;
    handed_at: string;
    by: string | null;
    note: string | null;
  }[];
  services: { code: string; name: Names }[];
}

/** GET /api/emergencies: new emergencies nobody acknowledged yet, oldest first (h-emerg). */
export interface PendingEmergencies {
  count: number;
  items: {
    id: number;
    number: string;
    status: string;
    priority: number;
    created_at: string;
    address: string | null;
    category: string;
    district: string | null;
  }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Fetches JSON from the API; throws ApiError for a non-2xx answer. */
export async function getJson<T>(path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  const qs = params?.toString();
  const res = await fetch(qs ? `${path}?${qs}` : path, { signal, credentials: 'same-origin', headers: { accept: 'application/json' } });
  return readJson<T>(res);
}

/**
 * The session's CSRF token, learnt from /api/auth/login, /api/auth/display and /api/auth/me
 * (readJson picks it up from any answer that carries `csrfToken`). Every write repeats it in
 * the X-CSRF-Token header; the session cookie itself is HttpOnly.
 */
let csrfToken: string | null = null;

/** Headers for a write: the CSRF token, asked of /api/auth/me first when not known yet. */
export async function writeHeaders(): Promise<Record<string, string>> {
  if (csrfToken === null) await getJson('/api/auth/me').catch(() => undefined);
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

/** Sends a JSON body with POST, PUT, PATCH or DELETE (with the CSRF token); throws ApiError for a non-2xx answer. */
export async function sendJson<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(await writeHeaders()) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return readJson<T>(res);
}

export const postJson = <T>(path: string, body: unknown): Promise<T> => sendJson<T>('POST', path, body);

async function readJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // a proxy's HTML error page: reported below by status
  }
  if (body && typeof body === 'object' && 'user' in body) {
    const b = body as { user: unknown; csrfToken?: string };
    csrfToken = b.user ? (b.csrfToken ?? csrfToken) : null;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}

/** True when the error is the result of an aborted request (a newer request replaced it). */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** GET /api/hotspots: one hexagon of the Gi* grid. */
export type HotClass = 'hot99' | 'hot95' | 'hot90' | 'cold99' | 'cold95' | 'cold90' | 'ns';
export interface HotspotProps {
  id: string;
  count: number;
  z: number | null;
  p: number | null;
  p_adjusted: number | null;
  class: HotClass;
  trend: 'new' | 'intensifying' | 'persistent' | 'diminishing' | 'sporadic' | null;
  series: number[];
  district: string | null;
  top_categories: { code: string; count: number }[];
  /** cells within the band, the cell included, and the appeals in them: what z weighs */
  neighbours?: number;
  neighbourhood_count?: number | null;
  population?: number;
  rate?: number | null;
}
export type HotspotCollection = FeatureCollection<Polygon, HotspotProps> & {
  parameters: { from: string; to: string; cell: number; band: number; normalize: string };
  summary: { cells: number; appeals: number; classes: Record<HotClass, number>; warnings: string[] };
};
/** GET /api/stats/by-service with the period's performance. */
export interface ServicePerformance {
  created: number;
  resolved: number;
  resolved_on_time: number;
  overdue_now: number;
  on_time_rate: number | null;
  median_hours_to_close: number | null;
  mean_rating: number | null;
  ratings: number;
}
export interface ByServicePerf {
  items: { code: string; name: Names; count: number; open: number; overdue: number; performance?: ServicePerformance }[];
}

// h-screens (issue 24): verified closure, ETAs, the dispute an appeal was reopened for.
/** One row of GET /api/stats/closure (shares null when their denominator is 0). */
export interface ClosureFiguresRow {
  resolved: number;
  reopened: number;
  reopen_rate: number | null;
  with_proof: number;
  proof_share: number | null;
  feedback_asked: number;
  confirmed: number;
  confirmed_share: number | null;
}
export interface ClosureAnswer {
  period: { from: string; to: string };
  by: 'service' | 'district';
  total: ClosureFiguresRow;
  items: (ClosureFiguresRow & { code: string | null })[];
}
/** GET /api/stats/eta-accuracy. */
export interface EtaAccuracyAnswer {
  computed_at: string | null;
  window_days: number | null;
  total: { n: number; mae_h: number; within25: number } | null;
  items: { category: string; n: number; mae_h: number; within25: number }[];
}
/** When an open appeal is expected to be resolved (server/lifecycle/eta.ts). */
export interface Eta {
  at: string;
  hours_left: number;
  basis: 'category_district' | 'category' | 'sphere';
  n: number;
}
/** Why an appeal is being worked on again: the citizen's dispute (server/closure/dispute.ts). */
export interface Dispute {
  at: string;
  via: 'feedback_link' | 'staff';
  text: string | null;
  rating: number | null;
}
