import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isDatabaseOutage } from '../../server/db/outage.ts';

/** The error a real node-postgres client gives when it tries to connect to `url`. */
async function connectError(url: string): Promise<unknown> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (err) {
    return err;
  } finally {
    await c.end().catch(() => undefined);
  }
  throw new Error(`connecting to ${url} succeeded`);
}

const closedPort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('isDatabaseOutage', () => {
  it('takes a refused TCP connection (a real client to a closed port)', async () => {
    const err = await connectError(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isDatabaseOutage(err)).toBe(true);
  });

  it('takes a missing Unix socket (a real client to a folder without a server)', async () => {
    const err = await connectError('postgres://postgres@/postgres?host=/nonexistent/jardem-socket-dir');
    expect(err).toMatchObject({ code: 'ENOENT' });
    expect(isDatabaseOutage(err)).toBe(true);
  });

  it('takes a server that accepts and hangs up at once (Connection terminated)', async () => {
    const s = createServer((sock) => sock.destroy());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const err = await connectError(`postgres://postgres@127.0.0.1:${(s.address() as { port: number }).port}/postgres`);
      expect(isDatabaseOutage(err)).toBe(true);
    } finally {
      s.close();
    }
  });

  it('takes PostgreSQL shutdown and connection codes, socket errors and pool connect timeouts', () => {
    for (const code of ['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '08P01', '53300']) {
      expect(isDatabaseOutage(pgError(code)), code).toBe(true);
    }
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']) {
      expect(isDatabaseOutage(Object.assign(new Error(code), { code })), code).toBe(true);
    }
    expect(isDatabaseOutage(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseOutage(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isDatabaseOutage(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    // EACCES on a socket path that is not ours to open
    expect(
      isDatabaseOutage(
        Object.assign(new Error('connect EACCES /run/postgresql/.s.PGSQL.5432'), {
          code: 'EACCES',
          syscall: 'connect',
          address: '/run/postgresql/.s.PGSQL.5432',
        }),
      ),
    ).toBe(true);
    // Node's attempt at every address of a host name, and an error carried as a cause
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseOutage(new AggregateError([refused], ''))).toBe(true);
    expect(isDatabaseOutage(new Error('wrapped', { cause: pgError('57P01') }))).toBe(true);
  });

  it('leaves query faults, bad input and file errors of our own alone (those are not outages)', () => {
    for (const code of ['23505', '22P02', '42P01', '40001', '57014', '22007', 'XX000']) {
      expect(isDatabaseOutage(pgError(code)), code).toBe(false);
    }
    // ENOENT from opening a file (no connect, no socket path) is a fault of ours, not an outage
    expect(
      isDatabaseOutage(
        Object.assign(new Error("ENOENT: no such file or directory, open 'geodata/x.json'"), { code: 'ENOENT', syscall: 'open' }),
      ),
    ).toBe(false);
    expect(isDatabaseOutage(new Error('boom'))).toBe(false);
    expect(isDatabaseOutage(undefined)).toBe(false);
    expect(isDatabaseOutage('ECONNREFUSED')).toBe(false);
  });
});
