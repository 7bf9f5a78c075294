import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matrixTable } from '../../server/auth/matrix-doc.ts';
import { ACCESS_MATRIX, findEntry, pathPattern } from '../../server/auth/matrix.ts';

describe('the access matrix', () => {
  it('is written in docs/security.md as it is declared (run `npm run docs:security` after a change)', () => {
    expect(readFileSync('docs/security.md', 'utf8')).toContain(matrixTable());
  });

  it('declares each method and path once', () => {
    const keys = ACCESS_MATRIX.map((e) => `${e.method} ${e.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('matches static paths before parameters, and Hono patterns as Hono does', () => {
    expect(findEntry('GET', '/api/incidents/duplicates')?.action).toBe('incident.find_duplicates');
    expect(findEntry('GET', '/api/incidents/42')?.action).toBe('incident.read');
    expect(findEntry('HEAD', '/api/incidents/42')?.action).toBe('incident.read');
    expect(findEntry('GET', '/tiles/incidents/12/2900/1500.mvt')?.action).toBe('tiles.read');
    expect(findEntry('GET', '/tiles/incidents/12/2900/1500.png')).toBeUndefined();
    expect(findEntry('POST', '/api/channels/telegram/webhook')?.access.kind).toBe('webhook');
    expect(findEntry('POST', '/api/channels/telegram/abc')).toBeUndefined();
    expect(findEntry('DELETE', '/api/incidents/42')).toBeUndefined();
    expect(pathPattern('/api/incidents/:id').test('/api/incidents/1/transitions')).toBe(false);
  });
});
