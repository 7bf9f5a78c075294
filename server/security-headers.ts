import { createHash } from 'node:crypto';
import { secureHeaders } from 'hono/secure-headers';
import type { Config } from './config.ts';
import { DOCS_SCRIPT } from './openapi/docs-page.ts';

/** Origin of a URL (`pmtiles://https://host/x.pmtiles` counts as `https://host`), or null. */
function originOf(url: string): string | null {
  try {
    return new URL(url.replace(/^pmtiles:\/\//, '')).origin;
  } catch {
    return null;
  }
}

/** Where map tiles, styles and sprites may come from: this site, the base map's origin and JARDEM_TILE_ORIGINS. */
export function tileOrigins(config: Pick<Config, 'JARDEM_BASEMAP_URL' | 'JARDEM_TILE_ORIGINS'>): string[] {
  const base = config.JARDEM_BASEMAP_URL ? originOf(config.JARDEM_BASEMAP_URL) : null;
  return [...new Set([...(base ? [base] : []), ...config.JARDEM_TILE_ORIGINS])];
}

/**
 * The Content-Security-Policy of every answer. Scripts only from this site (and the one inline
 * script of /api/docs, by its hash); MapLibre builds its workers from `blob:` URLs and decodes
 * images from `blob:`/`data:`; tiles, styles and fonts load from the configured origins; inline
 * styles are allowed (Svelte and MapLibre set style attributes); nobody may frame the app.
 */
export function contentSecurityPolicy(config: Pick<Config, 'JARDEM_BASEMAP_URL' | 'JARDEM_TILE_ORIGINS'>) {
  const tiles = tileOrigins(config);
  const docsHash = `'sha256-${createHash('sha256').update(DOCS_SCRIPT).digest('base64')}'`;
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", docsHash],
    workerSrc: ["'self'", 'blob:'],
    childSrc: ["'self'", 'blob:'],
    connectSrc: ["'self'", ...tiles],
    imgSrc: ["'self'", 'data:', 'blob:', ...tiles],
    styleSrc: ["'self'", "'unsafe-inline'", ...tiles],
    fontSrc: ["'self'", 'data:', ...tiles],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  };
}

/** Security headers on every response: CSP, nosniff, no framing, no referrer to other sites. */
export const securityHeaders = (config: Config) =>
  secureHeaders({
    crossOriginEmbedderPolicy: false,
    xFrameOptions: 'DENY',
    xContentTypeOptions: true,
    referrerPolicy: 'strict-origin-when-cross-origin',
    strictTransportSecurity: config.JARDEM_SECURE_COOKIES ? 'max-age=31536000; includeSubDomains' : false,
    contentSecurityPolicy: contentSecurityPolicy(config),
  });
