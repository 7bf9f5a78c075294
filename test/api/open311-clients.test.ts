import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

/**
 * Issue 21: the checks of the SeeClickFix Open311 validator and of a Python Open311 client,
 * played by test/clients/open311_client.py (Debian's /usr/bin/python3, standard library only:
 * urllib, json, xml.etree) against the real HTTP server, JSON and XML both.
 */
const run = promisify(execFile);
const t = testApp();
let base = '';
let close: () => void = () => undefined;
let apiKey = '';

beforeAll(async () => {
  const admin = await t.login('admin');
  apiKey = (
    await t.json('/api/admin/api-keys', {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `python client ${Date.now()}` }),
    })
  ).body.api_key;
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((done) => server.once('listening', () => done()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

it('a Python Open311 client passes the validator checks', { timeout: 120_000 }, async () => {
  const d = (await t.json('/api/meta')).body.districts[0];
  const { stdout } = await run(
    '/usr/bin/python3',
    ['test/clients/open311_client.py', `${base}/open311/v2`, apiKey, String(d.lat), String(d.lng)],
    {
      timeout: 110_000,
    },
  );
  const report = JSON.parse(stdout) as { checks: number; failures: string[] };
  expect(report.failures).toEqual([]);
  expect(report.checks).toBeGreaterThan(100);
});
