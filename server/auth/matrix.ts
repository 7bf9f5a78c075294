import type { Role } from '../domain/roles.ts';

/**
 * The access matrix: every route the app mounts (method + path in Hono's syntax) → the action it
 * performs → who may perform it and in which scope. `enforceAccess` (server/auth/access.ts)
 * answers 401/403 from this table before any handler runs; handlers still narrow by scope
 * (supervisor: their districts; executor: their service) where the table says so.
 *
 * Scopes:
 * - `all`: everything the route serves;
 * - `districts`: only appeals in the user's districts (supervisor);
 * - `service`: only appeals of the user's service (executor);
 * - `no_personal_data`: reads without reporters' names and phones.
 *
 * `public` routes need no session (anyone, signed in or not). `webhook` routes need no session
 * either: they authenticate each call by their own secret (messenger channels). A route missing
 * here is refused with 403 at run time and fails test/api/access-matrix.test.ts.
 */
export type Scope = 'all' | 'districts' | 'service' | 'no_personal_data';

export type Access = { kind: 'public' } | { kind: 'webhook' } | { kind: 'roles'; roles: Partial<Record<Role, Scope>> };

export interface MatrixEntry {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Full path as mounted, in Hono's syntax; a trailing `/*` covers a whole subtree (webhooks only). */
  path: string;
  action: string;
  access: Access;
}

const PUBLIC: Access = { kind: 'public' };
const WEBHOOK: Access = { kind: 'webhook' };
const roles = (r: Partial<Record<Role, Scope>>): Access => ({ kind: 'roles', roles: r });

/**
 * Each role's standing scope: where it works, and whether it may see reporters at all. Routes
 * for every signed-in user use it as it is; public routes that show reporters (one appeal) show
 * them only within it (server/auth/scope.ts).
 */
export const HOME_SCOPES: Readonly<Record<Role, Scope>> = {
  admin: 'all',
  dispatcher: 'all',
  supervisor: 'districts',
  executor: 'service',
  official: 'no_personal_data',
  display: 'no_personal_data',
};

/** Every signed-in role, each in its own scope. */
const SIGNED_IN = roles(HOME_SCOPES);
/** Those who change appeals. */
const ACTORS = roles({ admin: 'all', dispatcher: 'all', supervisor: 'districts', executor: 'service' });
/** Those who register, group and merge appeals. */
const STAFF = roles({ admin: 'all', dispatcher: 'all', supervisor: 'districts' });
/** Desk users who read the control view and exports (no wall screens). */
const DESK_READERS = roles({
  admin: 'all',
  dispatcher: 'all',
  supervisor: 'districts',
  executor: 'service',
  official: 'no_personal_data',
});
const INTAKE = roles({ admin: 'all', dispatcher: 'all' });
const ADMIN = roles({ admin: 'all' });

const e = (method: MatrixEntry['method'], path: string, action: string, access: Access): MatrixEntry => ({ method, path, action, access });

export const ACCESS_MATRIX: readonly MatrixEntry[] = [
  // Platform and documentation
  e('GET', '/api/health', 'health.read', PUBLIC),
  e('GET', '/api/meta', 'meta.read', PUBLIC),
  e('GET', '/api/openapi.json', 'docs.read', PUBLIC),
  e('GET', '/api/docs', 'docs.read', PUBLIC),
  // Sessions
  e('POST', '/api/auth/login', 'session.open', PUBLIC),
  e('POST', '/api/auth/display', 'session.open_display', PUBLIC),
  e('POST', '/api/auth/logout', 'session.close', PUBLIC),
  e('POST', '/api/auth/logout-all', 'session.close_all', SIGNED_IN),
  e('GET', '/api/auth/me', 'session.read', PUBLIC),
  // The public map and its numbers (no personal data in any of them)
  e('GET', '/api/districts', 'map.read', PUBLIC),
  e('GET', '/api/incidents', 'map.read', PUBLIC),
  e('GET', '/api/map/clusters', 'map.read', PUBLIC),
  // The geocoder reads the gazetteer (OpenStreetMap, a register, demo streets): no personal data.
  e('GET', '/api/places/search', 'places.search', PUBLIC),
  e('GET', '/api/places/reverse', 'places.reverse', PUBLIC),
  e('GET', '/api/stats/summary', 'stats.read', PUBLIC),
  e('GET', '/api/stats/by-category', 'stats.read', PUBLIC),
  e('GET', '/api/stats/by-service', 'stats.read', PUBLIC),
  e('GET', '/api/stats/by-district', 'stats.read', PUBLIC),
  e('GET', '/api/stats/by-channel', 'stats.read', PUBLIC),
  e('GET', '/api/stats/first-call', 'stats.read', PUBLIC),
  e('GET', '/api/stats/timeseries', 'stats.read', PUBLIC),
  // h-screens (issue 24): verified closure and ETA accuracy — aggregates, no personal data
  e('GET', '/api/stats/closure', 'stats.read', PUBLIC),
  e('GET', '/api/stats/eta-accuracy', 'stats.read', PUBLIC),
  e('GET', '/api/hotspots', 'hotspots.read', PUBLIC),
  e('GET', '/api/hotspots/clusters', 'hotspots.read', PUBLIC),
  e('GET', '/api/live', 'live.read', PUBLIC),
  e('GET', '/api/alerts', 'alerts.read', PUBLIC),
  // One appeal: anyone sees it without personal data; reporters only to roles in scope (logged).
  e('GET', '/api/incidents/:id', 'incident.read', PUBLIC),
  // Citizens: status by number, feedback by token
  e('GET', '/api/public/incidents/:number', 'public.status', PUBLIC),
  e('GET', '/api/feedback/:token', 'feedback.read', PUBLIC),
  e('POST', '/api/feedback/:token', 'feedback.rate', PUBLIC),
  e('POST', '/api/feedback/:token/dispute', 'feedback.dispute', PUBLIC),
  // Citizens' pages (HTML): the feedback link's page and its form posts, the public portal's entry.
  e('GET', '/feedback/:token', 'feedback.page', PUBLIC),
  e('POST', '/feedback/:token', 'feedback.page_answer', PUBLIC),
  e('GET', '/public', 'portal.page', PUBLIC),
  // Appeals: intake and control
  e('POST', '/api/incidents', 'incident.create', INTAKE),
  e('GET', '/api/incidents/duplicates', 'incident.find_duplicates', STAFF),
  e('POST', '/api/incidents/group', 'incident.group', STAFF),
  e('POST', '/api/incidents/:id/transitions', 'incident.transition', ACTORS),
  e('POST', '/api/incidents/:id/escalate', 'incident.escalate', ACTORS),
  e('POST', '/api/incidents/:id/merge', 'incident.merge', STAFF),
  e('POST', '/api/incidents/:id/feedback', 'incident.rate_by_phone', INTAKE),
  e('GET', '/api/control', 'control.read', DESK_READERS),
  // h-workorders (issue 18): work orders of several services on one appeal; the handlers narrow
  // further (an executor acts on their own service's work orders, a supervisor in their districts).
  e('GET', '/api/incidents/:id/work-orders', 'work_order.read', DESK_READERS),
  e('POST', '/api/incidents/:id/work-orders', 'work_order.create', STAFF),
  e('POST', '/api/incidents/:id/work-orders/:wo/transitions', 'work_order.transition', ACTORS),
  // Who holds appeals up: numbers and codes only, so the wall's screens read it too.
  e('GET', '/api/control/coordination', 'control.coordination', SIGNED_IN),
  // Exports for officials: never personal data
  e('GET', '/api/exports/incidents.csv', 'export.read', DESK_READERS),
  e('GET', '/api/exports/incidents.geojson', 'export.read', DESK_READERS),
  // Administration
  e('GET', '/api/admin/users', 'users.read', ADMIN),
  e('POST', '/api/admin/users', 'users.create', ADMIN),
  e('PATCH', '/api/admin/users/:id', 'users.update', ADMIN),
  e('POST', '/api/admin/users/:id/password', 'users.reset_password', ADMIN),
  e('POST', '/api/admin/users/:id/logout', 'users.end_sessions', ADMIN),
  e('GET', '/api/admin/sign-in-locks', 'sign_in_locks.read', ADMIN),
  e('DELETE', '/api/admin/sign-in-locks', 'sign_in_locks.lift', ADMIN),
  e('GET', '/api/admin/display-tokens', 'display_tokens.read', ADMIN),
  e('POST', '/api/admin/display-tokens', 'display_tokens.create', ADMIN),
  e('DELETE', '/api/admin/display-tokens/:id', 'display_tokens.revoke', ADMIN),
  e('GET', '/api/admin/api-keys', 'api_keys.read', ADMIN),
  e('POST', '/api/admin/api-keys', 'api_keys.create', ADMIN),
  e('DELETE', '/api/admin/api-keys/:id', 'api_keys.revoke', ADMIN),
  // Emergencies' first measures (h-emerg): those who act on the appeal, in their scope; the
  // operator names of hand-overs are staff data. The wall's hold list has no personal data.
  e('GET', '/api/incidents/:id/measures', 'incident.measures_read', ACTORS),
  e('POST', '/api/incidents/:id/measures', 'incident.measure_tick', ACTORS),
  e('POST', '/api/incidents/:id/handovers', 'incident.hand_over', ACTORS),
  e('POST', '/api/incidents/:id/acknowledge', 'incident.acknowledge_emergency', STAFF),
  e('GET', '/api/emergencies', 'emergencies.pending', PUBLIC),
  // h-catadmin: the city's catalogue, edited by admins only.
  e('GET', '/api/admin/catalogue', 'catalogue.read', ADMIN),
  e('POST', '/api/admin/catalogue/categories', 'catalogue.edit', ADMIN),
  e('PATCH', '/api/admin/catalogue/categories/:code', 'catalogue.edit', ADMIN),
  e('POST', '/api/admin/catalogue/services', 'catalogue.edit', ADMIN),
  e('PATCH', '/api/admin/catalogue/services/:code', 'catalogue.edit', ADMIN),
  e('POST', '/api/admin/catalogue/routing', 'catalogue.edit', ADMIN),
  e('POST', '/api/admin/catalogue/routing/preview', 'catalogue.read', ADMIN),
  e('PATCH', '/api/admin/catalogue/routing/:id', 'catalogue.edit', ADMIN),
  e('DELETE', '/api/admin/catalogue/routing/:id', 'catalogue.edit', ADMIN),
  e('PUT', '/api/admin/catalogue/holidays/:date', 'catalogue.edit', ADMIN),
  e('DELETE', '/api/admin/catalogue/holidays/:date', 'catalogue.edit', ADMIN),
  e('GET', '/api/admin/catalogue/changes', 'catalogue.read', ADMIN),
  e('GET', '/api/admin/catalogue/export', 'catalogue.read', ADMIN),
  e('POST', '/api/admin/catalogue/import', 'catalogue.import', ADMIN),
  // Messenger channels: each call is checked by the channel's own secret, not by a session.
  e('POST', '/api/channels/telegram/webhook', 'channel.webhook', WEBHOOK),
  e('GET', '/api/channels/whatsapp/webhook', 'channel.webhook', WEBHOOK),
  e('POST', '/api/channels/whatsapp/webhook', 'channel.webhook', WEBHOOK),
  e('GET', '/api/channels/facebook/webhook', 'channel.webhook', WEBHOOK),
  e('POST', '/api/channels/facebook/webhook', 'channel.webhook', WEBHOOK),
  // Staff answer a bot appeal's reporter through the same messenger; the citizen's photos are public.
  e('POST', '/api/channels/incidents/:id/reply', 'incident.reply', STAFF),
  e('GET', '/api/channels/photos/:key', 'photo.read', PUBLIC),
  // h-outages: outages and planned works. Anyone reads the register (notices redacted, no author);
  // dispatchers, supervisors and admins keep it.
  e('GET', '/api/outages', 'outage.read', PUBLIC),
  e('GET', '/api/outages/:id', 'outage.read', PUBLIC),
  e('POST', '/api/outages', 'outage.create', STAFF),
  e('PATCH', '/api/outages/:id', 'outage.update', STAFF),
  e('POST', '/api/outages/:id/close', 'outage.close', STAFF),
  // Open standards and tiles: public, read-only, no personal data (Open311 POST takes an api_key).
  e('GET', '/ogc', 'ogc.read', PUBLIC),
  e('GET', '/ogc/conformance', 'ogc.read', PUBLIC),
  e('GET', '/ogc/api', 'ogc.read', PUBLIC),
  e('GET', '/ogc/collections', 'ogc.read', PUBLIC),
  e('GET', '/ogc/collections/:collectionId', 'ogc.read', PUBLIC),
  e('GET', '/ogc/collections/:collectionId/queryables', 'ogc.read', PUBLIC),
  e('GET', '/ogc/collections/:collectionId/sortables', 'ogc.read', PUBLIC),
  e('GET', '/ogc/collections/:collectionId/items', 'ogc.read', PUBLIC),
  e('GET', '/ogc/collections/:collectionId/items/:featureId', 'ogc.read', PUBLIC),
  e('GET', '/open311/v2/services/:file', 'open311.read', PUBLIC),
  e('GET', '/open311/v2/requests/:file', 'open311.read', PUBLIC),
  e('GET', '/open311/v2/tokens/:file', 'open311.read', PUBLIC),
  e('GET', '/open311/v2/:file', 'open311.read', PUBLIC),
  e('POST', '/open311/v2/:file', 'open311.submit', PUBLIC),
  e('GET', '/tiles/incidents/:z/:x/:y{[^/]+\\.(mvt|pbf)}', 'tiles.read', PUBLIC),
  // The self-hosted base map: the city's streets and buildings from its import, its glyphs and icons.
  e('GET', '/tiles/basemap.json', 'tiles.read', PUBLIC),
  e('GET', '/tiles/incidents.json', 'tiles.read', PUBLIC),
  e('GET', '/tiles/basemap/:z/:x/:y{[^/]+\\.mvt}', 'tiles.read', PUBLIC),
  e('GET', '/tiles/basemap/fonts/:stack/:range{[^/]+\\.pbf}', 'tiles.read', PUBLIC),
  e('GET', '/tiles/basemap/:sprite{sprite(@2x)?\\.(json|png)}', 'tiles.read', PUBLIC),
  // The staff app's entry, served with the city pack's title (server/meta/app-page.ts).
  e('GET', '/', 'app.page', PUBLIC),
  e('GET', '/index.html', 'app.page', PUBLIC),
  // h-field: the executors' field app (server/field). Executors act on their service's appeals;
  // supervisors view theirs and publish photos; an unpublished photo is 404 outside the appeal's scope.
  e('GET', '/field', 'field.page', PUBLIC),
  e('GET', '/api/field/work', 'field.work_list', roles({ admin: 'all', dispatcher: 'all', supervisor: 'districts', executor: 'service' })),
  e('POST', '/api/field/incidents/:id/take', 'field.take', roles({ admin: 'all', executor: 'service' })),
  e('POST', '/api/field/incidents/:id/pause', 'field.pause', roles({ admin: 'all', executor: 'service' })),
  e('POST', '/api/field/incidents/:id/resume', 'field.pause', roles({ admin: 'all', executor: 'service' })),
  e('POST', '/api/field/incidents/:id/resolve', 'field.resolve', roles({ admin: 'all', executor: 'service' })),
  e('POST', '/api/field/incidents/:id/photos', 'field.photo_upload', roles({ admin: 'all', supervisor: 'districts', executor: 'service' })),
  e('GET', '/api/field/incidents/:id/proof', 'field.proof_read', ACTORS),
  e('GET', '/api/field/photos/:id', 'field.photo_read', PUBLIC),
  e('POST', '/api/field/photos/:id/publish', 'field.photo_publish', roles({ admin: 'all', supervisor: 'districts' })),
];

/** The roles that may see reporters' names and phones: those with a scope other than no_personal_data. */
export const allowsPersonalData = (scope: Scope | undefined) => scope !== undefined && scope !== 'no_personal_data';

interface Compiled {
  entry: MatrixEntry;
  re: RegExp;
  /** Static paths beat parameterised ones (`/api/incidents/duplicates` before `/:id`). */
  rank: number;
}

/** Turns a Hono path (`:name`, `:name{regex}`, trailing `*`) into an anchored regular expression. */
export function pathPattern(path: string): RegExp {
  let out = '';
  // Split on `/` outside `{...}`: a parameter's pattern may hold a slash (`[^/]+`).
  for (const seg of path.match(/\/(?:\{[^}]*\}|[^/{])*/g)?.map((s) => s.slice(1)) ?? []) {
    if (seg === '*') {
      out += '(?:/.*)?';
      continue;
    }
    const m = /^:([A-Za-z0-9_]+)(?:\{(.+)\})?$/.exec(seg);
    out += '/' + (m ? `(?:${m[2] ?? '[^/]+'})` : seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  }
  return new RegExp(`^${out || '/'}/?$`);
}

const compiled: Compiled[] = ACCESS_MATRIX.map((entry) => ({
  entry,
  re: pathPattern(entry.path),
  rank: (entry.path.match(/:/g)?.length ?? 0) + (entry.path.endsWith('*') ? 100 : 0),
})).sort((a, b) => a.rank - b.rank);

/** The matrix entry for a request, or undefined when the matrix does not know it. */
export function findEntry(method: string, path: string): MatrixEntry | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return compiled.find((c) => c.entry.method === m && c.re.test(path))?.entry;
}

/** The entry declared for a mounted route, by its exact method and path. */
export function declaredEntry(method: string, path: string): MatrixEntry | undefined {
  return (
    ACCESS_MATRIX.find((x) => x.method === method && x.path === path) ?? findEntry(method, path.replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, 'x'))
  );
}

/** The scope a role has on an entry; `all` for public routes, undefined when refused. */
export function scopeFor(entry: MatrixEntry, role: Role | null): Scope | undefined {
  if (entry.access.kind !== 'roles') return 'all';
  return role ? entry.access.roles[role] : undefined;
}
