import { describe, expect, it } from 'vitest';
import { deriveScope } from '../../server/auth/scope.ts';
import { ACCESS_MATRIX, allowsPersonalData, HOME_SCOPES } from '../../server/auth/matrix.ts';
import { ROLES, type Role } from '../../server/domain/roles.ts';

const user = (role: Role) => ({ id: 1, login: role, name: role, role, districtIds: [3], serviceId: 7 });
const entry = (method: string, path: string) => ACCESS_MATRIX.find((e) => e.method === method && e.path === path)!;

describe('who sees personal data is decided by the access matrix alone', () => {
  it('on a public appeal page, a role sees reporters exactly when its standing scope allows personal data', () => {
    for (const role of ROLES) {
      const scope = deriveScope(entry('GET', '/api/incidents/:id'), user(role));
      expect(scope.personalData.kind !== 'none', role).toBe(allowsPersonalData(HOME_SCOPES[role]));
    }
    expect(deriveScope(entry('GET', '/api/incidents/:id'), null).personalData.kind).toBe('none');
  });

  it('an export follows the scope the matrix gives that route: officials read it without personal data', () => {
    const csv = entry('GET', '/api/exports/incidents.csv');
    expect(deriveScope(csv, user('official')).personalData.kind).toBe('none');
    expect(deriveScope(csv, user('supervisor')).personalData).toEqual({ kind: 'districts', districtIds: [3] });
    expect(deriveScope(csv, user('executor')).personalData).toEqual({ kind: 'service', serviceId: 7 });
    expect(deriveScope(csv, user('dispatcher')).personalData.kind).toBe('all');
  });
});
