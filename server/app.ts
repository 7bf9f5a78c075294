import { existsSync, readFileSync } from 'node:fs';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { enforceAccess } from './auth/access.ts';
import { csrfProtection } from './auth/csrf.ts';
import { loadSession } from './auth/middleware.ts';
import { adminRoutes } from './admin/routes.ts';
import { catalogueRoutes } from './catalogue/routes.ts';
import { alertRoutes } from './alerts/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { createBots } from './channels/bots.ts';
import { channelRoutes } from './channels/routes.ts';
import { type AppEnv, type Deps, readPoolOf } from './context.ts';
import { districtRoutes } from './districts/routes.ts';
import { emergencyIncidentRoutes, emergencyRoutes } from './emergencies/routes.ts';
import { exportRoutes } from './exports/routes.ts';
import { AppError, errorResponse, notFound } from './errors.ts';
import { healthRoutes } from './health/routes.ts';
import { inputChecks } from './input-checks.ts';
import { incidentRoutes } from './incidents/routes.ts';
import { controlRoutes, feedbackRoutes, publicRoutes } from './lifecycle/routes.ts';
import { AlertTicker } from './live/alerts.ts';
import { LiveHub } from './live/hub.ts';
import { KpiTicker } from './live/kpis.ts';
import { liveRoutes } from './live/routes.ts';
import { rateLimit } from './limits/rate-limit.ts';
import { log } from './log.ts';
import { mapRoutes } from './map/routes.ts';
import { metaRoutes } from './meta/routes.ts';
import { placeRoutes } from './places/routes.ts';
import { ogcCors, ogcRoutes } from './ogc/routes.ts';
import { apiKeyRoutes } from './open311/admin-routes.ts';
import { open311Cors, open311Routes } from './open311/routes.ts';
import { openapiRoutes } from './openapi/routes.ts';
import { outageRoutes } from './outages/routes.ts';
import { personalDataSearchGuard } from './privacy/search-guard.ts';
import { publicPages } from './public/routes.ts';
import { queryGuard } from './query-guard.ts';
import { configureResponseCache } from './response-cache.ts';
import { securityHeaders } from './security-headers.ts';
import { statsRoutes } from './stats/routes.ts';
import { closureRoutes } from './closure/routes.ts';
import { hotspotRoutes } from './hotspots/routes.ts';
import { tileRoutes } from './tiles/routes.ts';
import { fieldRoutes, PHOTO_UPLOAD_PATH } from './field/routes.ts';
import { clientAddress } from './limits/client-address.ts';
import { appPage } from './meta/app-page.ts';
import { coordinationRoutes, workOrderRoutes } from './workorders/routes.ts';

/** Where `vite build` puts the client. */
export const CLIENT_DIR = 'dist/client';

/** Requests being handled now, so that a graceful shutdown can wait for them. */
export const inFlight = { count: 0 };

/** The whole HTTP surface: one sub-app per resource under /api, then the built client. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.onError(errorResponse);
  app.use('*', async (c, next) => {
    const t0 = performance.now();
    inFlight.count++;
    try {
      await next();
    } finally {
      inFlight.count--;
    }
    if (c.req.path !== '/api/health') {
      log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - t0) }, 'request');
    }
  });
  app.use('*', securityHeaders(deps.config));
  // Open to browser apps on every origin, before the limiter and the checks: their refusals are readable too.
  app.use('/ogc/*', ogcCors());
  app.use('/open311/*', open311Cors());
  // Per-client request limit on everything but the static client (the wall's health checks count too).
  const limiter = rateLimit(deps.config);
  for (const prefix of ['/api/*', '/open311/*', '/ogc/*', '/tiles/*', '/feedback/*']) app.use(prefix, limiter);
  app.use('/api/*', compress());
  // The citizens' pages and the built client's files, gzipped for phones on slow networks.
  for (const prefix of ['/public', '/public/*', '/feedback/*', '/assets/*']) app.use(prefix, compress());
  const tooLarge413 = () => {
    throw new AppError(413, 'payload_too_large', 'The request body is too large.');
  };
  const tooLarge = bodyLimit({
    maxSize: 1024 * 1024,
    onError: () => {
      throw new AppError(413, 'payload_too_large', 'The request body is larger than 1 MiB.');
    },
  });
  // Every body the server takes: the API (webhooks included) and Open311 submissions.
  // h-catadmin: a whole catalogue imported as one document (1,000+ kinds with their synonyms) may pass 1 MiB.
  const catalogueLimit = bodyLimit({
    maxSize: 16 * 1024 * 1024,
    onError: () => {
      throw new AppError(413, 'payload_too_large', 'The catalogue document is larger than 16 MiB.');
    },
  });
  // (Proof photos have their own limit: server/field/routes.ts.)
  app.use('/api/*', (c, next) => {
    if (c.req.path === '/api/admin/catalogue/import') return catalogueLimit(c, next);
    if (PHOTO_UPLOAD_PATH.test(c.req.path) && c.req.method === 'POST') return next();
    return tooLarge(c, next);
  });
  app.use('/open311/*', tooLarge);
  // The feedback page's forms: a rating and a comment of at most 2000 characters.
  app.use('/feedback/*', bodyLimit({ maxSize: 32 * 1024, onError: tooLarge413 }));
  // Text no database can store (NUL, lone surrogates, bytes that are not UTF-8): 400 before anything reads it.
  // (Open311's refusals too: errors.ts answers them in its own format.)
  for (const prefix of ['/api/*', '/ogc/*', '/tiles/*', '/open311/*', '/feedback/*']) app.use(prefix, inputChecks());
  app.use('/api/*', loadSession(deps.pool));
  app.use('/api/*', csrfProtection(deps.config));
  // Who may call what: server/auth/matrix.ts, checked before any handler.
  app.use(
    '*',
    enforceAccess(() => app.routes),
  );
  // A text search for a phone, an e-mail or an IIN only where personal data may be read.
  for (const prefix of ['/api/*', '/ogc/*', '/tiles/*']) app.use(prefix, personalDataSearchGuard());
  // Query parameters a route does not define: 400 (DESIGN.md), found from the routes' schemas.
  const guard = queryGuard(() => app.routes);
  for (const prefix of ['/api/*', '/ogc/*', '/tiles/*', '/open311/*', '/feedback/*', '/public', '/public/*', '/field'])
    app.use(prefix, guard);
  configureResponseCache(deps.pool, { maxBytes: deps.config.JARDEM_RESPONSE_CACHE_MB * 1024 * 1024 });
  // h-replica: reads that may be a little stale (tiles, statistics, hotspots, district figures,
  // OGC API, exports; Open311 GET inside its routes) on the replica when there is one, falling
  // back to the primary; everything else on the primary (docs/operations.md).
  const readDeps: Deps = { ...deps, pool: readPoolOf(deps) };
  if (readDeps.pool !== deps.pool) configureResponseCache(readDeps.pool, { maxBytes: deps.config.JARDEM_RESPONSE_CACHE_MB * 1024 * 1024 });
  const hub = deps.live?.hub ?? new LiveHub({ pool: deps.pool, engine: deps.engine, databaseUrl: deps.config.DATABASE_URL });
  const kpis = deps.live?.kpis ?? new KpiTicker(deps.pool, hub);
  const alerts = deps.live?.alerts ?? new AlertTicker(deps.pool, hub);

  const api = new Hono<AppEnv>()
    .route('/health', healthRoutes(deps))
    .route('/meta', metaRoutes(deps))
    .route('/auth', authRoutes(deps))
    .route('/districts', districtRoutes(readDeps))
    .route('/incidents', incidentRoutes(deps))
    .route('/control', controlRoutes(deps))
    .route('/feedback', feedbackRoutes(deps))
    .route('/public', publicRoutes(deps))
    .route('/stats', statsRoutes(readDeps))
    // h-screens: verified closure and ETA accuracy (issue 24)
    .route('/stats', closureRoutes(readDeps))
    .route('/hotspots', hotspotRoutes(readDeps))
    .route('/map', mapRoutes(deps))
    .route('/places', placeRoutes(deps))
    .route('/live', liveRoutes({ hub, kpis, alerts, addressOf: (c) => clientAddress(c, deps.config) }))
    .route('/alerts', alertRoutes(alerts))
    .route('/admin/api-keys', apiKeyRoutes(deps))
    // h-catadmin: the city's catalogue (categories, services, routing, calendar) edited in /admin.
    .route('/admin/catalogue', catalogueRoutes(deps))
    .route('/admin', adminRoutes(deps))
    .route('/channels', channelRoutes(deps, deps.bots ?? createBots(deps.config, deps.pool)));
  api.route('/exports', exportRoutes(readDeps));
  // h-outages: the register of outages and planned works (issue 18).
  api.route('/outages', outageRoutes(deps));
  // Emergencies' first measures, hand-overs and the wall's hold (h-emerg).
  api.route('/incidents', emergencyIncidentRoutes(deps)).route('/emergencies', emergencyRoutes(deps));
  // h-field: the executors' field app.
  api.route('/field', fieldRoutes(deps));
  // h-workorders (issue 18): the services working on one appeal.
  api.route('/incidents', workOrderRoutes(deps));
  api.route('/control', coordinationRoutes(deps));
  api.route(
    '/',
    openapiRoutes(() => app.routes),
  );
  app.route('/api', api);
  app.all('/api/*', () => {
    throw notFound('API path');
  });
  // Open standards and tiles, outside /api: public, no session.
  app.route('/ogc', ogcRoutes(readDeps));
  app.route('/open311/v2', open311Routes(deps));
  app.route('/tiles', tileRoutes(readDeps));

  // The citizens' pages: /feedback/<token> (server-rendered) and the portal's entry at /public.
  const portalFile = `${CLIENT_DIR}/public.html`;
  app.route('/', publicPages(deps, existsSync(portalFile) ? readFileSync(portalFile, 'utf8') : undefined));

  // h-field: the executors' field app, its own entry (a small bundle for phones), at /field.
  // Mounted whether or not the client is built, so that the parameter guard answers it as it does /public.
  // Read at the first request that finds it, so that a client built after the start is served.
  const fieldFile = `${CLIENT_DIR}/field.html`;
  let fieldHtml: string | undefined;
  const field = (c: Context) => {
    fieldHtml ??= existsSync(fieldFile) ? readFileSync(fieldFile, 'utf8') : undefined;
    if (!fieldHtml) throw notFound('The field app (the client is not built: npm run build)');
    return c.html(fieldHtml);
  };
  app.get('/field', field);
  app.get('/field/*', field);

  if (existsSync(`${CLIENT_DIR}/index.html`)) {
    const index = appPage(deps.pool, readFileSync(`${CLIENT_DIR}/index.html`, 'utf8'));
    // The app's entry with the city pack's title, before the static files would serve it as built.
    app.get('/', index);
    app.get('/index.html', index);
    app.use(
      '/assets/*',
      serveStatic({ root: CLIENT_DIR, onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }),
    );
    app.use('*', serveStatic({ root: CLIENT_DIR }));
    // Client-side routes (/, /districts/:code, /wall, ...) all load the single-page app.
    app.get('*', index);
  }
  return app;
}
