import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';

/**
 * The real server (`node server/main.ts`) with short HTTP timeouts: a client that sends its
 * headers or its body slowly is cut off, an idle kept-alive connection is closed, and a
 * Server-Sent Events stream (a long answer to a short request) stays open past the request
 * timeout. On PostgreSQL the server uses the test database; on PGlite a folder of its own.
 */
const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const KEEPALIVE_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection that records what the server sent and when it closed the connection. */
function rawConnection(port: number) {
  const c = { socket: undefined as unknown as Socket, data: '', closedAt: 0 };
  c.socket = connect(port, '127.0.0.1');
  c.socket.setEncoding('utf8');
  c.socket.on('data', (d: string) => (c.data += d));
  c.socket.on('error', () => undefined);
  c.socket.on('close', () => (c.closedAt = Date.now()));
  return c;
}

/** Sends `chunks` one by one, `everyMs` apart, while the connection is open. */
async function trickle(c: ReturnType<typeof rawConnection>, chunks: string[], everyMs: number) {
  for (const chunk of chunks) {
    if (c.closedAt) return;
    c.socket.write(chunk);
    await sleep(everyMs);
  }
}

describe('HTTP timeouts of the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jardem-timeouts-'));
  let server: RunningServer;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    server = await startServer({
      port,
      dataDir: dir,
      demoCount: 0,
      timeoutMs: 180_000,
      env: {
        ...(inject('engine') === 'postgres' ? { DATABASE_URL: inject('databaseUrl') } : {}),
        JARDEM_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
        JARDEM_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
        JARDEM_HTTP_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_MS),
      },
    });
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cuts a client that sends its headers a line at a time and never ends them', { timeout: 30_000 }, async () => {
    const c = rawConnection(port);
    const t0 = Date.now();
    const headers = ['GET /api/health HTTP/1.1\r\n', 'Host: 127.0.0.1\r\n', ...Array.from({ length: 60 }, (_, i) => `X-Slow-${i}: 1\r\n`)];
    await trickle(c, headers, 200);
    expect(c.closedAt, 'the server closed the connection').toBeGreaterThan(0);
    // headersTimeout, checked once a second
    expect(c.closedAt - t0).toBeLessThan(HEADERS_MS + 2500);
    expect(c.data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts a client that sends its body a byte at a time', { timeout: 30_000 }, async () => {
    const c = rawConnection(port);
    const t0 = Date.now();
    const body = JSON.stringify({ login: 'dispatcher', password: 'x'.repeat(200) });
    c.socket.write(
      `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    await trickle(c, [...body], 100);
    expect(c.closedAt, 'the server closed the connection').toBeGreaterThan(0);
    expect(c.closedAt - t0).toBeLessThan(REQUEST_MS + 2500);
    // The request never reached the API: no answer of the application came back.
    expect(c.data).not.toMatch(/"error"|HTTP\/1\.1 (200|400|401)/);
  });

  it('closes an idle kept-alive connection after the keep-alive timeout', { timeout: 30_000 }, async () => {
    const c = rawConnection(port);
    c.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const t0 = Date.now();
    while (!c.closedAt && Date.now() - t0 < 10_000) await sleep(50);
    expect(c.data).toMatch(/^HTTP\/1\.1 200/);
    expect(c.closedAt).toBeGreaterThan(0);
    expect(c.closedAt - t0).toBeLessThan(KEEPALIVE_MS + 2500);
  });

  it('keeps an event stream open well past the request timeout', { timeout: 30_000 }, async () => {
    let text = '';
    let ended = false;
    let failed: Error | undefined;
    const req = http.get(`http://127.0.0.1:${port}/api/live`, { headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
      expect(res.statusCode).toBe(200);
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => (ended = true));
      res.on('error', (err) => (failed = err));
    });
    req.on('error', (err) => (failed = err));
    try {
      await sleep(REQUEST_MS * 2 + 1500);
      expect(failed).toBeUndefined();
      expect(ended).toBe(false);
      expect(req.socket?.destroyed).toBe(false);
      expect(text).toMatch(/retry: \d+/);
    } finally {
      req.destroy();
    }
  });
});
