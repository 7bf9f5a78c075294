import { BASEMAP_TILE_PATH, GLYPHS_PATH, SPRITE_PATH, TILEJSON_PATH } from '../basemap/routes.ts';
import { TILE_PATH } from '../tiles/routes.ts';
import { INCIDENTS_TILEJSON_PATH } from '../tiles/tilejson.ts';
import { z } from 'zod';
import {
  adminUserSchema,
  adminUsersSchema,
  apiKeysSchema,
  displayTokensSchema,
  issuedApiKeySchema,
  issuedDisplayTokenSchema,
  liftedSchema,
  signInLocksSchema,
} from '../contract/admin.ts';
import {
  changedIncidentSchema,
  controlSchema,
  disputeSchema,
  duplicatesSchema,
  exportCollectionSchema,
  feedbackViewSchema,
  groupResultSchema,
  incidentListSchema,
  incidentSchema,
  intakeResultSchema,
  linkRatingSchema,
  phoneRatingSchema,
  publicStatusSchema,
} from '../contract/incidents.ts';
import { summarySchema } from '../contract/kpis.ts';
import { districtsSchema, placeReverseSchema, placeSearchSchema } from '../contract/places.ts';
import { endedSchema, healthSchema, meSchema, metaSchema, okSchema, openapiDocumentSchema, signedInSchema } from '../contract/platform.ts';
import {
  byCategorySchema,
  byChannelSchema,
  byDistrictSchema,
  byServiceSchema,
  firstCallSchema,
  hotspotsSchema,
  mapClustersSchema,
  repeatClustersSchema,
  timeseriesSchema,
} from '../contract/stats.ts';
import { basemapTileJsonSchema, incidentsTileJsonSchema, spriteIndexSchema } from '../contract/tiles.ts';
import { describeRoute } from './registry.ts';

/**
 * Words for the routes of /api (and /tiles): what each does, who may call it, what it answers.
 * Parameters and bodies come from the routes' own zod schemas; only the prose lives here. A new
 * route gets a describeRoute() line, here or beside the route (docs/api.md); the OpenAPI test
 * fails for a mounted route that has none.
 */

const geojson = (description: string, schema: z.ZodType) => ({ description, contentType: 'application/geo+json', schema });
const json = (description: string, schema: z.ZodType) => ({ description, schema });

// Platform
describeRoute('GET', '/api/health', {
  summary: 'Liveness and the database behind it',
  responses: {
    '200': json('`{"status":"ok","database":{"engine":"postgres"|"pglite","postgis":"<version>"}}`', healthSchema),
    '503': 'The database is unreachable',
  },
});
describeRoute('GET', '/api/meta', {
  summary: 'The city, its reference lists and the enums',
  description:
    'City settings, map centre and bounds, statuses, types and channels, the category tree with kk/ru/en names, services and districts (no geometry).',
  responses: { '200': json('The city and its lists', metaSchema) },
});
describeRoute('GET', '/api/openapi.json', {
  summary: 'This description (OpenAPI 3.1)',
  tag: 'docs',
  responses: { '200': json('An OpenAPI 3.1 document', openapiDocumentSchema) },
});
describeRoute('GET', '/api/docs', {
  summary: 'This description as a page for people',
  tag: 'docs',
  responses: { '200': { description: 'HTML', contentType: 'text/html' } },
});

// Sessions
describeRoute('POST', '/api/auth/login', {
  summary: 'Sign in',
  description:
    'Sets the HttpOnly session cookie. Answers `{user, csrfToken}`: every later write must send the token in `X-CSRF-Token`. Failed sign-ins are counted per login and per client address; past the limit both are locked for a while (429 with Retry-After).',
  responses: {
    '200': json('Signed in; the session cookie is set', signedInSchema),
    '401': 'Wrong login or password',
    '429': 'Too many failed sign-ins; see Retry-After',
  },
});
describeRoute('POST', '/api/auth/display', {
  summary: 'A wall screen exchanges its display token for a long session',
  responses: { '200': json('Signed in as the display; the session cookie is set', signedInSchema), '401': 'Unknown or revoked token' },
});
describeRoute('POST', '/api/auth/logout', {
  summary: 'Sign out (ends the session and clears its cookie)',
  responses: { '200': json('Signed out', okSchema) },
});
describeRoute('POST', '/api/auth/logout-all', {
  summary: 'Sign out everywhere',
  description: 'Ends every session of the signed-in user, on every browser and device. Answers `{ok, ended}`.',
  responses: { '200': json('Signed out everywhere', endedSchema) },
});
describeRoute('GET', '/api/auth/me', {
  summary: 'The signed-in user',
  responses: {
    '200': json('`{user, csrfToken}`; `{user: null}` for nobody. Send csrfToken as `X-CSRF-Token` with every write.', meSchema),
  },
});

// Places: the geocoder (server/places/)
describeRoute('GET', '/api/places/search', {
  summary: 'Find addresses, streets, crossings, places and POIs by what a caller says',
  tag: 'places',
  description:
    'GeoJSON FeatureCollection, best first; each feature a point with `kind` (address, street, intersection, place, poi, district), `name` {kk,ru,en}, `street`, `housenumber`, `district` {code,name} or null, `score`. ' +
    'Forgives case, punctuation, Kazakh letters typed as their Russian look-alikes, Latin spellings, typos, street-type words (ул., пр-т, көшесі, даңғылы, мкр, ш/а...) and old street names; ' +
    '"A / B", "угол A и B", "A x B" is a crossing. `near=lng,lat` ranks nearer places first. Public, no personal data.',
  responses: { '200': geojson('Places', placeSearchSchema) },
});
describeRoute('GET', '/api/places/reverse', {
  summary: 'The nearest address to a point',
  tag: 'places',
  description:
    'The nearest address within 150 m (`address`, a feature with `street`, `housenumber`, `distance_m`), the nearest street within 150 m (`street`) and the district holding the point (`district`), also as `features`. Null when there is none.',
  responses: { '200': geojson('The address, street and district at a point', placeReverseSchema) },
});

// Districts and appeals
describeRoute('GET', '/api/districts', {
  summary: 'Districts with counts of appeals',
  description:
    'GeoJSON FeatureCollection; properties `id`, `code`, `name` {kk,ru,en}, `population`, `count` (matching the filters), `open`, `overdue`, `per10k`.',
  responses: { '200': geojson('Districts', districtsSchema) },
});
describeRoute('GET', '/api/incidents', {
  summary: 'Appeals, filtered and paged',
  description:
    'GeoJSON FeatureCollection with `numberMatched`, `numberReturned` and a `next` cursor; newest first or by deadline (`sort=due`).',
  responses: { '200': geojson('A page of appeals', incidentListSchema) },
});
describeRoute('POST', '/api/incidents', {
  summary: 'Register an appeal',
  description:
    'Answers 201 with id, number, status, district, service, due_at, version and nearby open duplicates. An `Idempotency-Key` header makes a retry answer the first result.',
  responses: { '201': json('Registered', intakeResultSchema) },
});
describeRoute('GET', '/api/incidents/duplicates', {
  summary: 'Open appeals of a category near a point (duplicate candidates)',
  responses: { '200': json('Candidates, nearest first', duplicatesSchema) },
});
describeRoute('POST', '/api/incidents/group', {
  summary: 'Group appeals under one parent',
  responses: { '200': json('The parent and the appeals attached to it', groupResultSchema) },
});
describeRoute('GET', '/api/incidents/:id', {
  summary: 'One appeal with its events',
  description: "Reporters' names and phones are included only for roles allowed to see personal data, and every such read is logged.",
  responses: { '200': json('The appeal as a GeoJSON Feature with `events`', incidentSchema), '404': 'No such appeal' },
});
describeRoute('POST', '/api/incidents/:id/transitions', {
  summary: 'Move an appeal to another status',
  description:
    '`{to, version, note?, service?, reason?}`; 409 with the allowed transitions when the move is not allowed or the version is stale.',
  responses: {
    '200': json('The appeal after the change', changedIncidentSchema),
    '404': 'No such appeal',
    '409': 'Illegal transition or stale version',
  },
});
describeRoute('POST', '/api/incidents/:id/escalate', {
  summary: 'Escalate an appeal',
  responses: { '200': json('The appeal after the change', changedIncidentSchema), '409': 'Stale version' },
});
describeRoute('POST', '/api/incidents/:id/merge', {
  summary: 'Merge an appeal into another as a duplicate',
  responses: { '200': json('The parent and the appeal attached to it', groupResultSchema) },
});
describeRoute('POST', '/api/incidents/:id/feedback', {
  summary: "Record a reporter's rating given by phone",
  responses: { '200': json('The rating now recorded and the new version', phoneRatingSchema) },
});
describeRoute('GET', '/api/public/incidents/:number', {
  summary: "An appeal's status by its public number and a second factor, for the citizen who filed it",
  description:
    "Needs `phone4` (the last four digits of the phone the appeal was registered with) or `token` (the code of the citizen's link). A wrong factor and an unknown number answer the same 404; ten of them from one address within ten minutes answer 429 with Retry-After.",
  responses: {
    '200': json(
      'Status without personal data: number, type, category, district, responsible service, status, deadline (`due_at`), dates, the public `timeline` (`[{at, status, note}]`, notes only when written for the citizen, redacted), the resolution and its note, the rating',
      publicStatusSchema,
    ),
    '400': 'No second factor given',
    '404': 'No appeal matches the number and the factor',
    '429': 'Too many misses from this address',
  },
});
describeRoute('GET', '/api/feedback/:token', {
  summary: 'What a feedback link is about (no sign-in)',
  tag: 'feedback',
  responses: { '200': json('The appeal behind the link, without personal data', feedbackViewSchema) },
});
describeRoute('POST', '/api/feedback/:token', {
  summary: "A citizen's rating (1–5) through a feedback link",
  tag: 'feedback',
  responses: { '200': json('Recorded', linkRatingSchema) },
});
describeRoute('POST', '/api/feedback/:token/dispute', {
  summary: 'A citizen says it is not fixed: reopens the appeal',
  tag: 'feedback',
  responses: { '200': json('Reopened', disputeSchema) },
});
describeRoute('GET', '/api/control', {
  summary: 'Execution control: overdue, escalated, bounced appeals and deadline risk',
  responses: { '200': json('Totals, totals by service and the appeals to act on', controlSchema) },
});

// Statistics and map aggregates
describeRoute('GET', '/api/stats/summary', {
  summary: 'KPIs: open, new today, overdue, resolved today, on-time %, satisfaction',
  responses: { '200': { description: 'The city’s KPIs and each district’s, for the period', schema: summarySchema } },
});
describeRoute('GET', '/api/stats/by-category', {
  summary: 'Counts by sphere or category (open appeals unless a status is given)',
  responses: { '200': json('Counts per sphere or category', byCategorySchema) },
});
describeRoute('GET', '/api/stats/by-service', {
  summary: 'Counts and lateness by service (open appeals unless a status is given)',
  responses: { '200': json('Counts and performance per service', byServiceSchema) },
});
describeRoute('GET', '/api/stats/by-district', {
  summary: 'Counts by district in the period, with per-capita rates',
  responses: { '200': json('Counts and rates per district', byDistrictSchema) },
});
describeRoute('GET', '/api/stats/by-channel', {
  summary: 'Counts by channel in the period',
  responses: { '200': json('Counts and rates per channel', byChannelSchema) },
});
describeRoute('GET', '/api/stats/first-call', {
  summary: 'Share of appeals closed on the first call in the period',
  responses: { '200': json('All appeals and information requests', firstCallSchema) },
});
describeRoute('GET', '/api/hotspots', {
  summary: 'Hot spots: hexagon cells with Getis-Ord Gi* z-score, p-value, class and trend',
  description: 'Per category and period, optionally normalised per capita. Filters as in GET /api/incidents.',
  responses: { '200': json('Cells as a FeatureCollection with the parameters and a summary', hotspotsSchema) },
});
describeRoute('GET', '/api/hotspots/clusters', {
  summary: 'Places where appeals of one kind repeat (density clusters)',
  responses: { '200': json('Clusters as hulls', repeatClustersSchema) },
});
describeRoute('GET', '/api/stats/timeseries', {
  summary: 'Appeals registered and resolved per day, week or month',
  responses: { '200': json('One item per interval', timeseriesSchema) },
});
describeRoute('GET', '/api/map/clusters', {
  summary: 'Appeals aggregated on a grid for a zoom level',
  description:
    'Per cell: count, mean position, heat weight and the mix of spheres; a cell of one appeal carries its id and category. Default: open appeals.',
  responses: { '200': geojson('Cells as points', mapClustersSchema) },
});

// Live events and administration
describeRoute('GET', '/api/live', {
  summary: 'Server-Sent Events: incident.created, incident.updated, stats',
  description: 'Honours `Last-Event-ID` (or `?lastEventId=`): a reconnecting client first receives what it missed.',
  responses: { '200': { description: 'An event stream', contentType: 'text/event-stream' } },
});
describeRoute('GET', '/api/admin/users', {
  summary: 'User accounts',
  description: 'Each with role, districts (supervisor), service (executor), disabled flag, open sessions and a sign-in lockout if any.',
  responses: { '200': json('The accounts', adminUsersSchema) },
});
describeRoute('POST', '/api/admin/users', {
  summary: 'Create a user account',
  description: 'A supervisor needs `districts`, an executor a `service` (codes from /api/meta). Passwords: at least 10 characters.',
  responses: { '201': json('The new account', adminUserSchema), '409': 'The login is taken' },
});
describeRoute('PATCH', '/api/admin/users/:id', {
  summary: 'Change name, role, scope or disable an account',
  description: 'Disabling ends every session of the account. An admin cannot disable or demote themselves (409).',
  responses: { '200': json('The account as it is now', adminUserSchema), '404': 'No such user', '409': 'Would lock the admin out' },
});
describeRoute('POST', '/api/admin/users/:id/password', {
  summary: 'Set a new password',
  description: 'Ends every session of the account and lifts a sign-in lockout.',
  responses: { '200': json('Changed', okSchema), '404': 'No such user' },
});
describeRoute('POST', '/api/admin/users/:id/logout', {
  summary: 'End every session of an account',
  responses: { '200': json('`{ok, ended}`', endedSchema), '404': 'No such user' },
});
describeRoute('GET', '/api/admin/sign-in-locks', {
  summary: 'Sign-in locks now in force',
  description:
    'Locked (login, address) pairs and addresses, and logins slowed by their per-minute budget: `{items: [{kind, login, address, attempts, window_start, locked_until, last_at}]}`.',
  responses: { '200': json('The locks', signInLocksSchema) },
});
describeRoute('DELETE', '/api/admin/sign-in-locks', {
  summary: 'Lift sign-in locks',
  description: 'By `login`, by `address`, or the one pair when both are given: `{ok, lifted}`.',
  responses: { '200': json('Lifted', liftedSchema), '400': 'Neither login nor address given' },
});
describeRoute('GET', '/api/admin/display-tokens', {
  summary: 'Display tokens of wall screens',
  responses: { '200': json('The tokens (never the tokens themselves)', displayTokensSchema) },
});
describeRoute('POST', '/api/admin/display-tokens', {
  summary: 'Issue a display token (shown once)',
  responses: { '201': json('The token and its wall URL', issuedDisplayTokenSchema) },
});
describeRoute('DELETE', '/api/admin/display-tokens/:id', {
  summary: 'Revoke a display token',
  responses: { '200': json('Revoked', okSchema), '404': 'No such token' },
});

// Exports and tiles
describeRoute('GET', '/api/exports/incidents.csv', {
  summary: 'Every matching appeal as CSV, streamed',
  description:
    'RFC 4180, UTF-8 with a byte-order mark (Excel), header row; columns number, type, category, sphere, channel, status, priority, district, service, ' +
    'created_at, due_at, resolved_at, closed_at, overdue, lng, lat, address, description. No personal data. Filters as in GET /api/incidents.',
  responses: { '200': { description: 'CSV', contentType: 'text/csv' }, '429': 'Too many exports running; retry later' },
});
describeRoute('GET', '/api/exports/incidents.geojson', {
  summary: 'Every matching appeal as a GeoJSON FeatureCollection, streamed',
  description: 'Same rows and properties as the CSV (the position is the geometry). No personal data.',
  responses: { '200': geojson('FeatureCollection', exportCollectionSchema), '429': 'Too many exports running; retry later' },
});
describeRoute('GET', `/tiles${TILE_PATH}`, {
  summary: 'Vector tile of appeals (Mapbox Vector Tile)',
  description:
    'Below zoom 15 layer `cells`: an 8×8 grid per tile, each cell a point with `count`, `overdue`, the dominant `sphere`, the per-sphere `mix` ' +
    '("code:n,code:n"), the heat `weight` and, for a cell of one appeal, its `id`. From zoom 15 layer `incidents`: every appeal with id, number, ' +
    'category, sphere, status, priority, overdue, weight. Filters as in GET /api/incidents; default status=open; other parameters are ignored. ' +
    'ETag and a short max-age; 204 for an empty tile. The same tile is served as `{y}.pbf`, as tile directories name them (GDAL).',
  tag: 'tiles',
  openapiPath: '/tiles/incidents/{z}/{x}/{y}.mvt',
  pathParams: { z: 'Zoom, 0–22', x: 'Column, 0 … 2^z − 1', y: 'Row, 0 … 2^z − 1' },
  responses: {
    '200': { description: 'The tile', contentType: 'application/vnd.mapbox-vector-tile' },
    '204': 'An empty tile',
    '304': 'Unchanged since the ETag sent in If-None-Match',
  },
});
describeRoute('GET', `/tiles${BASEMAP_TILE_PATH}`, {
  summary: 'Vector tile of the base map (Mapbox Vector Tile)',
  description:
    'The self-hosted base map from the imported geography (`npm run geodata:osm`, and the demo layout in demo mode). Layers: `water`, `parks`, ' +
    '`buildings` (from zoom 14), `rail` (from 11), `roads` (by OSM class: main roads from zoom 6–10, residential from 13, service from 14, ' +
    'footways from 15) and `places` (place labels), each with `class`, `name` (the local name) and `name_kk`, `name_ru`, `name_en` where the ' +
    'source has them. Geometry simplified to the zoom. Empty below zoom 6. No query parameters. ETag, max-age one hour; 204 for an empty tile.',
  tag: 'tiles',
  openapiPath: '/tiles/basemap/{z}/{x}/{y}.mvt',
  pathParams: { z: 'Zoom, 0–22', x: 'Column, 0 … 2^z − 1', y: 'Row, 0 … 2^z − 1' },
  responses: {
    '200': { description: 'The tile', contentType: 'application/vnd.mapbox-vector-tile' },
    '204': 'An empty tile',
    '304': 'Unchanged since the ETag sent in If-None-Match',
  },
});
describeRoute('GET', `/tiles${TILEJSON_PATH}`, {
  summary: 'TileJSON of the base map',
  description:
    'TileJSON 3.0.0: the tile URL (relative to this server), zooms, layers and fields, and `attribution` — "© OpenStreetMap contributors" when ' +
    "an OpenStreetMap import is drawn, else null; `demo` is true when the demo layout's synthetic streets are drawn.",
  tag: 'tiles',
  responses: { '200': json('TileJSON', basemapTileJsonSchema) },
});
describeRoute('GET', `/tiles${GLYPHS_PATH}`, {
  summary: 'Glyphs of the base map (MapLibre SDF glyph ranges)',
  description:
    "Signed-distance glyphs of 256 code points for the style's `glyphs` URL. Stacks: `Jardem Sans Regular`, `Jardem Sans Bold` (DejaVu Sans: " +
    'Latin, Cyrillic with the Kazakh letters); a comma-separated stack is answered by its first known font; a range the font lacks is empty.',
  tag: 'tiles',
  openapiPath: '/tiles/basemap/fonts/{stack}/{range}.pbf',
  pathParams: { stack: 'Font stack, e.g. `Jardem Sans Regular`', range: 'e.g. `1024-1279`' },
  responses: { '200': { description: 'Glyphs', contentType: 'application/x-protobuf' }, '404': 'No such font stack' },
});
describeRoute('GET', `/tiles${SPRITE_PATH}`, {
  summary: 'Icons of the base map (MapLibre sprite)',
  description: '`sprite.json` and `sprite.png`, and `sprite@2x.*` for high-density screens.',
  tag: 'tiles',
  openapiPath: '/tiles/basemap/{sprite}',
  pathParams: { sprite: '`sprite.json`, `sprite.png`, `sprite@2x.json` or `sprite@2x.png`' },
  responses: {
    '200': {
      description: 'The sprite index (`.json`) or image (`.png`)',
      contentType: 'application/json',
      schema: spriteIndexSchema,
      alsoAs: ['image/png'],
    },
    '404': 'No such file',
  },
});

// Open311 API keys (the GeoReport v2 endpoints themselves live at /open311/v2, outside /api)
describeRoute('GET', '/api/admin/api-keys', {
  summary: 'Open311 API keys (never the keys themselves)',
  responses: { '200': json('The keys', apiKeysSchema) },
});
describeRoute('POST', '/api/admin/api-keys', {
  summary: 'Issue an Open311 API key (shown once)',
  responses: { '201': json('`{id, api_key}`', issuedApiKeySchema) },
});
describeRoute('DELETE', '/api/admin/api-keys/:id', {
  summary: 'Revoke an Open311 API key',
  responses: { '200': json('Revoked', okSchema), '404': 'No such key' },
});
describeRoute('GET', `/tiles${INCIDENTS_TILEJSON_PATH}`, {
  summary: 'TileJSON of the incident tiles',
  description:
    'TileJSON 3.0.0: the absolute tile URL (JARDEM_PUBLIC_URL, else the request), zooms, the city bounds, `vector_layers` `cells` ' +
    '(below zoom 15) and `incidents` with their fields and types, attribution. ETag; If-None-Match with it or `*` answers 304.',
  tag: 'tiles',
  responses: { '200': json('TileJSON', incidentsTileJsonSchema), '304': 'Unchanged since the ETag sent in If-None-Match' },
});
