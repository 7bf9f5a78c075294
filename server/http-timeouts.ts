import type { Server, ServerOptions } from 'node:http';
import type { Config } from './config.ts';

type TimeoutSettings = Pick<
  Config,
  'JARDEM_HTTP_HEADERS_TIMEOUT_MS' | 'JARDEM_HTTP_REQUEST_TIMEOUT_MS' | 'JARDEM_HTTP_KEEPALIVE_TIMEOUT_MS'
>;

// Node checks the header and request deadlines of open connections on a timer (30 s by default):
// a slow sender would be held up to that much past its deadline. Once a second keeps it close.
const CHECK_EVERY_MS = 1000;

/**
 * The Node server's timeouts, so that a client that sends its request slowly (a header a minute,
 * a body a byte at a time) cannot hold a connection and its memory for long:
 * - headersTimeout: the whole header block must arrive within this;
 * - requestTimeout: the whole request, body included, must arrive within this. It covers
 *   receiving only: an answer that streams for hours (`/api/live`) is not cut by it;
 * - keepAliveTimeout: an idle kept-alive connection is closed after this.
 * Passed at creation (the checking interval can only be set then) and set on the server again.
 */
export function httpServerOptions(config: TimeoutSettings): ServerOptions {
  const requestTimeout = config.JARDEM_HTTP_REQUEST_TIMEOUT_MS;
  return {
    // Node refuses a header deadline later than the request deadline.
    headersTimeout: Math.min(config.JARDEM_HTTP_HEADERS_TIMEOUT_MS, requestTimeout),
    requestTimeout,
    keepAliveTimeout: config.JARDEM_HTTP_KEEPALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: CHECK_EVERY_MS,
  };
}

/** Sets the timeouts on a server already made (for servers not created with httpServerOptions). */
export function applyHttpTimeouts(server: Server, config: TimeoutSettings): void {
  const o = httpServerOptions(config);
  server.headersTimeout = o.headersTimeout!;
  server.requestTimeout = o.requestTimeout!;
  server.keepAliveTimeout = o.keepAliveTimeout!;
}
