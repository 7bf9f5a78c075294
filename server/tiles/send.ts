import type { Context } from 'hono';
import { acceptsGzip } from '../gzip-body.ts';
import type { RenderedTile } from './cache.ts';

export const TILE_TYPE = 'application/vnd.mapbox-vector-tile';

/**
 * True when If-None-Match (`header`) names `etag` (weak comparison, RFC 9110 §13.1.2) or is `*`:
 * a tile or a TileJSON always has a current representation, so `*` is always met and a GET
 * answers 304.
 */
export function ifNoneMatchMet(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const weak = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || weak(t) === weak(etag));
}

/**
 * Answers a rendered tile: ETag and caching headers, 304 for a matching If-None-Match, 204 for an
 * empty tile, gzip when the client takes it. `encoder` names who drew it (Server-Timing).
 */
export function sendTile(c: Context, rendered: RenderedTile & { cached: boolean }, maxAgeS: number, startedAt: number, encoder: string) {
  c.header('ETag', rendered.etag);
  c.header('Cache-Control', `public, max-age=${maxAgeS}`);
  c.header('Vary', 'Accept-Encoding');
  c.header('X-Tile-Cache', rendered.cached ? 'hit' : 'miss');
  c.header('Server-Timing', `tile;dur=${(performance.now() - startedAt).toFixed(1)};desc="${rendered.cached ? 'cache' : encoder}"`);
  if (ifNoneMatchMet(c.req.header('if-none-match'), rendered.etag)) return c.body(null, 304);
  if (!rendered.body) return c.body(null, 204);
  c.header('Content-Type', TILE_TYPE);
  if (rendered.gzip && acceptsGzip(c)) {
    c.header('Content-Encoding', 'gzip');
    return c.body(rendered.gzip as Uint8Array<ArrayBuffer>);
  }
  return c.body(rendered.body as Uint8Array<ArrayBuffer>);
}
