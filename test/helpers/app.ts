import { afterAll, inject } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';

/** The real app on the test database of this project (PGlite or PostgreSQL); `env` adds settings. */
export function testApp(env: Record<string, string> = {}) {
  const pool = createPool(inject('databaseUrl'), 4);
  afterAll(() => pool.end());
  const config = loadConfig({ JARDEM_DEMO: 'true', LOG_LEVEL: 'silent', ...env });
  const app = createApp({ pool, engine: inject('engine'), config });
  const request = (path: string, init?: RequestInit) => app.request(path, init);
  const json = async <T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> => {
    const res = await app.request(path, init);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  };
  /** Signs in a demo user and returns the Cookie header value. */
  const login = async (login: string, password = DEMO_PASSWORD) => {
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    if (res.status !== 200) throw new Error(`login ${login}: ${res.status}`);
    return res.headers.get('set-cookie')!.split(';')[0];
  };
  return { app, pool, request, json, login, config, engine: inject('engine') };
}
