import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('loadConfig', () => {
  it('has working defaults: port 8787, embedded database in ./data, demo mode', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8787, JARDEM_DATA_DIR: './data', JARDEM_DEMO: true, JARDEM_CITY: 'taraz' });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('fails fast naming the variable to fix', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with postgres/);
    expect(() => loadConfig({ JARDEM_DEMO: 'maybe' })).toThrow(/JARDEM_DEMO/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('keeps demo mode on for a laptop (loopback) start, and off for production or another interface unless asked for', () => {
    for (const HOST of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) expect(loadConfig({ HOST }).JARDEM_DEMO).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).JARDEM_DEMO).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0' }).JARDEM_DEMO).toBe(false);
    expect(loadConfig({ HOST: '10.0.0.5' }).JARDEM_DEMO).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', NODE_ENV: 'production', JARDEM_DEMO: 'true' }).JARDEM_DEMO).toBe(true);
    expect(loadConfig({ JARDEM_DEMO: 'false' }).JARDEM_DEMO).toBe(false);
  });

  it('makes cookies Secure (and sends HSTS) when the public URL is https, unless told otherwise', () => {
    expect(loadConfig({}).JARDEM_SECURE_COOKIES).toBe(false);
    expect(loadConfig({ JARDEM_PUBLIC_URL: 'https://109.example.kz' }).JARDEM_SECURE_COOKIES).toBe(true);
    expect(loadConfig({ JARDEM_PUBLIC_URL: 'https://109.example.kz', JARDEM_SECURE_COOKIES: 'false' }).JARDEM_SECURE_COOKIES).toBe(false);
    expect(loadConfig({ JARDEM_SECURE_COOKIES: 'true' }).JARDEM_SECURE_COOKIES).toBe(true);
  });
});
