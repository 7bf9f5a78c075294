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
});
